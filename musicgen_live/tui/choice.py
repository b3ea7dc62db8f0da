"""A modal list to pick one item (a port, a model)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList


class ChoiceScreen(ModalScreen[str | None]):
    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]  # q closes it, as it does help

    def __init__(self, title: str, options: list[str]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(id="choice"):
            yield Label(self.title_text)
            yield OptionList(*self.options, id="choices")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.options[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
