"""The conversation steps: one table says where each may go, and every step that waits for
text has someone to answer it."""

from __future__ import annotations

import pytest

from bot.domain.steps import ENTRIES, FLOW, Expects, Step, StepError, check_transition, parse_step
from bot.handlers.conversation import TEXT_STEPS


def test_every_step_has_a_rule_and_every_text_step_a_handler() -> None:
    assert set(FLOW) == set(Step)
    assert set(TEXT_STEPS) == {step for step, rule in FLOW.items() if rule.expects == Expects.TEXT}


def test_every_step_can_be_reached() -> None:
    reachable = set(ENTRIES)
    for rule in FLOW.values():
        reachable |= rule.then
    assert reachable == set(Step)


def test_a_step_goes_only_where_the_table_says() -> None:
    check_transition(Step.NIK, Step.BIRTH_DATE)
    check_transition(Step.BIRTH_DATE, Step.NIK)  # a mismatch: back to the NIK
    check_transition(Step.PARENT_NIK_DATE, Step.NIK)  # a command always starts afresh
    with pytest.raises(StepError):
        check_transition(Step.NIK, Step.PREFERENCE)  # no skipping the birth date and name
    with pytest.raises(StepError):
        check_transition(None, Step.BROADCAST_CONFIRM)  # no confirming without a text


def test_a_stored_step_this_version_does_not_know_is_no_step() -> None:
    assert parse_step("nik") == Step.NIK
    assert parse_step("locked") is None  # the old /daftar lock step is gone
    assert parse_step(None) is None
