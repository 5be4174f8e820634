import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def two_factor_on(settings):
    """Production's rule (TIERFLOW_REQUIRE_2FA defaults on when DEBUG is off) in a DEBUG test run."""
    settings.TIERFLOW_REQUIRE_2FA = True


def current_code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):0{device.digits}d}"


@pytest.fixture
def confirmed_device():
    def make(user) -> TOTPDevice:
        return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    return make
