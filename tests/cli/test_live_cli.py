"""`musicgen-live live` and `ports` as a user runs them: the demo on a machine without a MIDI
system, options checked as they are parsed, help for every option, a mistyped input."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
import uuid
import wave
from pathlib import Path

import numpy as np
import pytest

from musicgen_live.answer_shape import ENDING_REACH
from musicgen_live.cli import build_parser
from tests.helpers import ENV
from tests.helpers import run as run_command
from tests.rig.live_process import LiveProcess


def no_midi_env(tmp_path: Path) -> tuple[dict[str, str], str]:
    """An environment where no MIDI system and no audio driver answer: JACK pointed at a
    server that does not run (and may not be started), FluidSynth held to JACK too."""
    server = f"nowhere-{uuid.uuid4().hex[:8]}"
    env = {**ENV, "JACK_DEFAULT_SERVER": server, "MUSICGEN_AUDIO_DRIVER": "jack"}
    return env | {"XDG_CONFIG_HOME": str(tmp_path / "config")}, server


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_command(*args, env=env, timeout=120)


def left_behind(server: str) -> str:
    """Processes that name the server: a JACK server started for it, or our own still alive."""
    found = subprocess.run(["pgrep", "-af", server], capture_output=True, text=True).stdout
    return "\n".join(line for line in found.splitlines() if "pgrep" not in line)


def test_the_demo_runs_in_process_without_a_midi_system_or_sound(
    tiny_model: Path, tmp_path: Path
) -> None:
    env, server = no_midi_env(tmp_path)
    wav = tmp_path / "demo.wav"
    command = [sys.executable, "-m", "musicgen_live", "--headless", "--json", "--demo"]
    options = ["--backend", "jack", "--model", str(tiny_model), "--length", "6", "--wav", str(wav)]
    process = subprocess.Popen([*command, *options], stdout=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None
    events, deadline = [], time.monotonic() + 60
    for line in process.stdout:
        events.append(json.loads(line))
        if events[-1]["event"] == "AnswerEnded" or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGTERM)
    events += [json.loads(line) for line in process.stdout]
    assert process.wait(timeout=30) == 0
    notices = [e["text"] for e in events if e["event"] == "Notice"]
    assert any(text.startswith("no MIDI system here") for text in notices), notices
    assert any(text.startswith("no sound here") for text in notices), notices
    assert any("sudo modprobe snd-seq" in text and "jackd -d dummy" in text for text in notices)
    ports = next(e["lines"] for e in events if e["event"] == "PortsInUse")
    assert ports[:2] == [
        "input: the demo, in-process (no MIDI ports)",
        "output: none, no sound here",
    ]
    played = {(e["source"], e["on"]) for e in events if e["event"] == "NotePlayed"}
    assert {("player", True), ("model", True)} <= played
    ended = next(e for e in events if e["event"] == "AnswerEnded")
    assert 6 <= ended["notes"] <= 6 + ENDING_REACH  # a target: the answer closes on a tonic
    with wave.open(str(wav)) as handle:
        audio = np.frombuffer(handle.readframes(handle.getnframes()), dtype=np.int16)
    assert np.abs(audio).max() > 1000
    assert not left_behind(server)


def test_the_demo_on_screen_without_a_midi_system_answers_and_quits_cleanly(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, server = no_midi_env(tmp_path)
    for name in ("JACK_DEFAULT_SERVER", "MUSICGEN_AUDIO_DRIVER"):
        monkeypatch.setenv(name, env[name])
    wav = tmp_path / "session.wav"
    options = ["--demo", "--model", str(tiny_model), "--length", "6", "--wav", str(wav)]
    process = LiveProcess(options, tui=True)
    try:
        deadline = time.monotonic() + 30  # the phrase lasts 3.7 s
        while time.monotonic() < deadline:
            sources = {e.get("source") for e in process.events if e.get("event") == "NotePlayed"}
            if {"player", "model"} <= sources:
                break
            time.sleep(0.05)
        assert {"player", "model"} <= sources, process.events[-5:]
        assert process.stop() == 0
    finally:
        if process.process.poll() is None:
            process.process.kill()
    assert not left_behind(server)
    assert wav.stat().st_size > 44
    logged = [json.loads(line) for line in process.log.read_text().splitlines()]
    kinds = [event["event"] for event in logged]
    assert kinds[-1] == "Finished" and "Stopped" in kinds, kinds[-5:]
    said = [event["text"] for event in logged[kinds.index("Stopped") :] if "text" in event]
    assert any(text.startswith(f"session rendered to {wav}") for text in said), said
    # said on the terminal given back, where the user can read it
    after_screen = process.screen_tail.rpartition(b"\x1b[?1049l")[2]
    assert f"session rendered to {wav}".encode() in after_screen, process.screen_tail[-300:]


def test_ports_without_a_midi_system_says_what_to_do(tmp_path: Path) -> None:
    env, _ = no_midi_env(tmp_path)
    result = run("ports", "--backend", "jack", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for advice in ("jackd -d dummy", "sudo modprobe snd-seq", "musicgen-live --demo"):
        assert advice in lines[0]


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["--trigger-cc", "200"], "from 0 to 127"),
        (["--trigger-cc", "-1"], "from 0 to 127"),
        (["--length", "-5"], "from 1 to 10000"),
        (["--length", "0"], "from 1 to 10000"),
        (["--length", "infs"], "of seconds such as '8s'"),
        (["--silence", "-100"], "from 10 to 60000"),
        (["--channel", "0"], "from 1 to 16"),
        (["--temperature", "nan"], "a number from 0.05 to 5"),
        (["--top-p", "1.5"], "a number from 0.05 to 1"),
        (["--rng-seed", "-1"], "of 0 or more"),
        (["--soundfont", "missing.sf2"], "does not exist"),
        (["--synth", "--soundfont", "missing.sf2"], "does not exist"),
        (["--wav", "no/such/folder/x.wav"], "does not exist"),
        (["--wav", "x.mp3"], "must end in .wav"),
        (["--record", "no-such-folder/x.mid"], "does not exist"),
    ],
)
def test_live_options_are_checked_when_parsed(
    argv: list[str], allowed: str, tmp_path: Path
) -> None:
    env, _ = no_midi_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "musicgen_live", "--headless", "--demo", *argv],
        capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    option, value = argv[-2:]
    assert option in lines[0] and repr(value) in lines[0] and allowed in lines[0]


def parse_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """The one line the parser writes as it stops with status 2 (nothing starts)."""
    with pytest.raises(SystemExit) as stop:
        build_parser().parse_args(argv)
    assert stop.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


@pytest.mark.parametrize(("option", "name"), [("--wav", "x.wav"), ("--events", "events.jsonl")])
def test_an_existing_wav_or_events_file_is_refused_unless_forced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, option: str, name: str
) -> None:
    existing = tmp_path / name
    existing.write_text("keep me")
    line = parse_error(capsys, ["live", option, str(existing)])
    assert f"{option}: '{existing}' exists: add --force to replace it" in line
    forced = build_parser().parse_args(["live", option, str(existing), "--force"])
    assert forced.force and existing in (forced.wav, forced.events)
    assert existing.read_text() == "keep me"


def test_record_refuses_an_existing_file_even_forced_and_outputs_may_not_coincide(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    take = tmp_path / "take.mid"
    take.write_bytes(b"keep me")
    line = parse_error(capsys, ["live", "--record", str(take), "--force"])
    assert f"--record: '{take}': the file exists" in line
    both = str(tmp_path / "x.wav")
    line = parse_error(capsys, ["live", "--wav", both, "--events", both])
    assert f"--events: '{both}' is the file --wav writes: choose another name" in line


def option_blocks(help_text: str) -> dict[str, str]:
    """Each option's help entry, by its long name, on one line."""
    blocks: dict[str, str] = {}
    current = None
    for line in help_text.split("options:", 1)[1].splitlines():
        start = re.match(r"  (?:-\w, )?(--[\w-]+)", line)
        if start:
            current = start.group(1)
            blocks[current] = line
        elif current is not None and line.startswith(" "):
            blocks[current] += line
    return {name: " ".join(entry.split()) for name, entry in blocks.items()}


@pytest.mark.parametrize("command", ["live", "ports", "generate", "train", "export", "eval"])
def test_help_gives_every_option_a_text_and_its_default(command: str) -> None:
    from musicgen_live.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    actions = subparsers.choices[command]._actions  # type: ignore[attr-defined]
    result = run(command, "--help")
    assert result.returncode == 0, result.stderr
    blocks = option_blocks(result.stdout)
    for action in actions:
        long = [o for o in action.option_strings if o.startswith("--")]
        if not long or long[0] == "--help":
            continue
        entry = blocks[long[0]]
        signature = f"{long[0]} {action.metavar or action.dest.upper()}"
        described = entry.replace(signature, "").replace(long[0], "")
        assert len(described.split()) >= 2, f"{command} {long[0]} has no help: {entry!r}"
        if action.default not in (None, False):
            assert "default" in entry, f"{command} {long[0]} does not show its default"


@pytest.mark.jack
def test_an_input_name_that_matches_nothing_warns_naming_the_inputs(
    jack_server: str, tiny_model: Path
) -> None:
    from tests.jack import headless_command, keyboard

    tag = uuid.uuid4().hex[:6]
    keys = keyboard(f"keys-{tag}")
    command = headless_command(tiny_model, f"mistyped-{tag}", f"out-{tag}")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        warning = ""
        for line in process.stdout:
            event = json.loads(line)
            if event["event"] == "StateChanged":
                break
            if event["event"] == "Notice" and event["level"] == "warning":
                warning = event["text"]
        assert f"no input port matches 'mistyped-{tag}'" in warning
        assert f"keys-{tag}" in warning.split("inputs: ", 1)[1]
        assert "mistyped" not in warning.split("inputs: ", 1)[1]  # not its own new port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        keys.close()
