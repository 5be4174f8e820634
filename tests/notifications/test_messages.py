"""A notification reads like a person wrote it, links to its application, is read once that page is opened, and shows local time."""
import pytest
from django.test import Client

from apps.notifications.models import Channel, Notification
from apps.notifications.services import unread_count

from ..factories import make_application

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_letter_notification_names_the_authority_and_the_activity_and_links_to_the_application(
        proponent, deliver_outbox, mailoutbox, settings):
    application = make_application(proponent, state="ca_review", title="Upper Kinabatangan forest conservation")
    deliver_outbox()
    issued = Notification.objects.get(recipient=proponent, channel=Channel.IN_APP, event="issue_loa")
    assert issued.subject == "Sabah Forestry Department issued the Letter of Authorization for Upper Kinabatangan forest conservation"
    link = f"{settings.SITE_URL}/applications/{application.reference}/"
    mail = next(m for m in mailoutbox if m.subject == issued.subject)
    assert link in mail.body and f"{settings.SITE_URL}/\n" not in mail.body + "\n"
    assert len(mail.body.splitlines()) <= 6

    inbox = signed_in(proponent).get("/notifications/").content.decode()
    assert f'href="/applications/{application.reference}/"' in inbox
    assert issued.subject in inbox


def test_opening_the_application_reads_its_notifications_and_no_others(proponent, deliver_outbox):
    first = make_application(proponent, state="loa_review", title="First")
    second = make_application(proponent, state="loa_review", title="Second")
    deliver_outbox()
    before = unread_count(proponent)
    first_unread = Notification.objects.filter(recipient=proponent, channel=Channel.IN_APP, application=first,
                                               read_at__isnull=True).count()
    assert first_unread >= 1 and before > first_unread

    page = signed_in(proponent).get(f"/applications/{first.reference}/").content.decode()
    assert unread_count(proponent) == before - first_unread
    assert f"{before - first_unread} unread" in page  # the header already counts them read
    assert Notification.objects.filter(recipient=proponent, channel=Channel.IN_APP, application=second,
                                       read_at__isnull=True).exists()


def test_inbox_times_are_the_application_s_local_time(proponent, deliver_outbox):
    make_application(proponent, state="loa_review")
    deliver_outbox()
    inbox = signed_in(proponent).get("/notifications/").content.decode()
    assert 'datetime="' in inbox and "+08:00" in inbox  # Sabah is UTC+8; the timeline uses the same zone
    assert "+00:00" not in inbox


def test_a_subject_longer_than_its_column_is_cut_not_refused(proponent):
    # The longest title a proponent may give, in the name of the federal ministry (a long official name).
    application = make_application(proponent, state="authorized", title="T" * 200)
    subjects = Notification.objects.filter(application=application, event="approve_ca").values_list("subject", flat=True)
    assert subjects and all(len(subject) == 200 and subject.endswith("T") for subject in subjects)
