"""The pure core: task state machine, trial masking, settings serialisation."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from ocrhive.domain.masking import choose_masked, mask_word, masked_count
from ocrhive.domain.recognition import (
    DsrMode,
    Language,
    RecognitionSettings,
    Rect,
    Region,
    ResultType,
)
from ocrhive.domain.serialization import settings_from_dict, settings_to_dict
from ocrhive.domain.task import TaskStatus, can_transition


def test_final_states_are_terminal_and_retry_goes_back_to_pending() -> None:
    for a, b in itertools.product(TaskStatus, TaskStatus):
        if a.is_final:
            assert not can_transition(a, b)
    assert can_transition(TaskStatus.PROCESSING, TaskStatus.PENDING)
    assert not can_transition(TaskStatus.PENDING, TaskStatus.COMPLETED)


@given(st.integers(min_value=0, max_value=5000))
def test_masked_count_is_ten_percent_rounded_half_up_and_at_least_one(n: int) -> None:
    k = masked_count(n)
    assert k == (0 if n == 0 else max(1, int(n * 0.1 + 0.5)))


@given(st.integers(min_value=0, max_value=400), st.binary(min_size=1, max_size=64))
def test_masking_choice_is_deterministic_per_seed(n: int, seed: bytes) -> None:
    chosen = choose_masked(n, seed)
    assert chosen == choose_masked(n, seed)
    assert len(chosen) == masked_count(n) and all(0 <= i < n for i in chosen)


def test_different_images_lose_different_words() -> None:
    picks = {choose_masked(200, bytes([i])) for i in range(20)}
    assert len(picks) > 15


def test_mask_word_preserves_length() -> None:
    assert mask_word("Grüße") == "*****"


def test_settings_survive_serialisation() -> None:
    settings = RecognitionSettings(
        language=Language.GERMAN,
        dsr_mode=DsrMode.TEXT_DETECTOR,
        rotate=270,
        result_type=ResultType.JSON,
        spell_check=True,
        regions=(Region(rect=Rect(left=1, top=2, right=30, bottom=40), order=3),),
    )
    assert settings_from_dict(settings_to_dict(settings)) == settings
    assert settings_from_dict(settings_to_dict(RecognitionSettings())) == RecognitionSettings()
