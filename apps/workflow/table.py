"""A workflow as data: one row per transition, from which everything else about it is derived.

A row says what the transition is called, where it may start and end, who may fire it, what it
asks for (a comment, a second factor, parameters), how it reads to people (the decision's label,
the timeline's label) and the audit event it writes. The model's django-fsm methods, the services'
dispatch, the web forms, the API's choices, the webhook event types, the timeline and the
permission matrix all read this table, so adding a transition is a row and its service body.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.functional import Promise
from django_fsm import GET_STATE
from django_fsm import transition as fsm_transition

from apps.audit.events import register_event_types


@dataclass(frozen=True)
class Parameter:
    """A typed value a transition takes beside its comment (integers today: quantities and years)."""

    name: str
    label: Promise | str
    min_value: int | None = None
    max_value: int | None = None
    required: bool = False
    # Per object: the value a form starts from, the bounds it shows, and the hint beside the field.
    initial: Callable[[Any], Any] | None = None
    bounds: Callable[[Any], tuple[int, int]] | None = None
    help_text: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    permission: Any  # a `rules` predicate (user, object) -> bool
    label: Promise | str  # the decision, as it reads on its button
    event_label: Promise | str  # what happened, as the timeline says it
    description: str = ""
    # For officers' decisions: the notification's subject, "%(authority)s issued … for %(title)s".
    notice: Promise | str | None = None
    comment_required: bool = False
    comment_label: Promise | str | None = None  # unique per form: "Reason for rejecting"
    missing_comment: Promise | str | None = None
    # Decisions nobody can take back ask "are you sure?" first, under this heading (the web's check-and-confirm page).
    confirm_heading: Promise | str | None = None
    second_factor: bool = False
    parameters: tuple[Parameter, ...] = ()
    conditions: tuple[Callable, ...] = ()  # django-fsm conditions, checked when the transition fires
    # The duty this decision is taken for (or the duties, where it decides whichever stage is open):
    # `verify_decisions` checks the actor held its approver role.
    decides: str | tuple[str, ...] | None = None
    # What else the transition means to its workflow's objects, for the service to apply (the letter's status).
    facts: Mapping[str, Any] = field(default_factory=dict)
    # A row whose end depends on the object: `target` is where it usually ends, `target_of(instance)` picks among
    # `target` and `other_targets` when it fires (approve_ca ends in the acquiring Party's review where one is due).
    other_targets: tuple[str, ...] = ()
    target_of: Callable[[Any], str] | None = None
    workflow: str = ""

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.target, *self.other_targets)

    @property
    def event(self) -> str:
        """The audit event (and webhook event type) the transition writes: `<workflow>.<name>`."""
        return f"{self.workflow}.{self.name}"

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)


def _deciding(target_of: Callable[[Any], str]) -> Callable[..., str]:
    return lambda instance, *args, **kwargs: target_of(instance)


@dataclass
class Workflow:
    """The transitions of one kind of object, in the order its decision panel shows them."""

    name: str
    transitions: tuple[Transition, ...]
    # What the engine answers, in this workflow's words: %(transition)s and %(state)s are filled in.
    unavailable: Promise | str = ""
    refused: Promise | str = ""
    lost_race: Promise | str = ""
    services: dict[str, Callable] = field(default_factory=dict)
    listeners: list[Callable] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.transitions = tuple(
            t if t.workflow == self.name else replace(t, workflow=self.name) for t in self.transitions
        )
        self._by_name = {t.name: t for t in self.transitions}
        assert len(self._by_name) == len(self.transitions), f"{self.name}: a transition name is used twice"
        register_event_types(self.event_types)

    def __getitem__(self, name: str) -> Transition:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self):
        return iter(self.transitions)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.transitions]

    @property
    def event_types(self) -> list[str]:
        return [t.event for t in self.transitions]

    def by_event(self, event: str) -> Transition | None:
        prefix = f"{self.name}."
        return self._by_name.get(event[len(prefix):]) if event.startswith(prefix) else None

    def fsm_methods(self, state_field: str) -> type:
        """A mixin with one django-fsm method per row, for the model to inherit: its machine is the table."""
        namespace: dict[str, Callable] = {}
        for row in self.transitions:
            def method(self) -> None:
                """Changes the state only; what the transition means is in the workflow's services."""
            method.__name__ = method.__qualname__ = row.name
            method.__doc__ = row.description or method.__doc__
            target = GET_STATE(_deciding(row.target_of), states=list(row.targets)) if row.target_of else row.target
            namespace[row.name] = fsm_transition(field=state_field, source=list(row.source), target=target,
                                                 conditions=list(row.conditions))(method)
        return type(f"{self.name.title()}Transitions", (), namespace)

    def service(self, name: str) -> Callable[[Callable], Callable]:
        """Register the service that runs transition `name` (views and the API dispatch through it)."""
        assert name in self._by_name, f"{self.name} has no transition {name!r}"

        def register(function: Callable) -> Callable:
            self.services[name] = function
            return function

        return register

    def on_transition(self, listener: Callable) -> Callable:
        """Call `listener(fired)` inside the transaction of every transition of this workflow (notifications, webhooks)."""
        if listener not in self.listeners:
            self.listeners.append(listener)
        return listener
