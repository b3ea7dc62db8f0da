"""Response latency and onset accuracy of the live engine, through a JACK dummy server.

Starts its own `jackd -d dummy` (48 kHz, 64-frame periods; realtime scheduling, as JACK
runs for music, where the machine allows it), runs `musicgen-live live --headless` on it,
plays phrases cut from the hannds test pieces into the engine's input many times, and
measures on a monitoring port in its own process, each message stamped at its frame:

- response: the moment the phrase detector fired (the engine's PhraseHeard event, same
  monotonic clock) to the first answer note arriving on the monitoring port;
- onset error: how far each answer note-on's arrival is from its scheduled time, either way
  (the engine reports when it sent each note and how late that was against its deadline).

Baseline, same run: the JACK transport alone (a test port sending straight to the monitor).
Prints a table, then one JSON line; with them, how much of the machine's CPU time the host
took for its other guests and how often jackd found a client late, so a run on a starved
machine shows as one. When no answer comes, the engine's threads are shown (with py-spy,
where it is installed).

    .venv/bin/python benchmarks/latency.py [--model FOLDER] [--answers 40] [--tui]
        [--named] [--list-ports]

With --tui the engine runs under the UI, on screen in a pseudo-terminal (120x40), as a user
runs it; its events come from `--events FILE`. With --named the phrases come from a
keyboard client and the answers go to a DAW client, each of its own, that the engine
connects to by name (as a USB keyboard and a DAW), instead of the engine's own virtual
ports. With --list-ports (and --tui) the user asks for the output list (`u`, then escape)
during every answer.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import mido
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from musicgen_live import assets  # noqa: E402
from musicgen_live.midi_files import note_messages, notes_from_midi  # noqa: E402
from musicgen_live.notes import Note, sort_notes  # noqa: E402
from musicgen_live.training.datasets import hannds_folder  # noqa: E402
from tests.rig.jack_rig import (  # noqa: E402
    MonitorProcess,
    backend,
    close_listers,
    play,
    start_jack,
    wait_port,
)
from tests.rig.live_process import LiveProcess  # noqa: E402

PERIOD_SECONDS = 64 / 48000
SILENCE_SECONDS = 0.3  # the engine's --silence here


def phrases(count: int, notes: int = 10) -> list[list[tuple[float, mido.Message]]]:
    """Short phrases from the held-out hannds pieces, each starting at time 0 and each heard
    as one phrase (no silence inside it as long as the engine's)."""
    result = []
    pieces = [notes_from_midi(p) for p in sorted((hannds_folder() / "test").glob("*.mid"))]
    offset = 0
    while len(result) < count:
        piece = pieces[len(result) % len(pieces)]
        offset = (offset + 37) % (len(piece) - notes)
        cut = piece[offset : offset + notes]
        if silent_gap(cut) > SILENCE_SECONDS / 2:
            continue
        last = max(n.start for n in cut)
        played = [replace(n, end=min(n.end, last + 0.3)) for n in cut]
        result.append(note_messages(played, since=cut[0].start))
    return result


def silent_gap(notes: list[Note]) -> float:
    """The longest time inside the notes during which no key is down."""
    ordered = sort_notes(notes)
    longest, reach = 0.0, ordered[0].end
    for note in ordered[1:]:
        longest = max(longest, note.start - reach)
        reach = max(reach, note.end)
    return longest


def transport_baseline(rounds: int = 200) -> tuple[list[float], int]:
    """JACK alone: a message from a test port to the monitor, arrival minus send; and how
    many of the `rounds` never arrived (each message is told apart by its note and velocity,
    so one lost or delivered twice does not shift the pairs: a day when JACK misses cycles
    by itself shows here, not as an engine fault)."""
    midi = backend()
    source = midi.open_output("baseline-out", virtual=True, client_name="baseline")
    monitor = MonitorProcess(wait_port("input", "baseline-out"), "baseline-monitor")
    time.sleep(0.2)
    sent = []
    for index in range(rounds):
        sent.append(time.monotonic())
        source.send(mido.Message("note_on", note=60 + index // 100, velocity=index % 100 + 1))
        time.sleep(0.005 + (index % 7) * 0.0007)
    time.sleep(0.2)
    monitor.close()
    source.close()
    arrived: dict[int, float] = {}
    for at, message in monitor.messages:
        arrived.setdefault((message.note - 60) * 100 + message.velocity - 1, at)
    delays = [arrived[index] - start for index, start in enumerate(sent) if index in arrived]
    return delays, rounds - len(delays)


def wait_for_answer(
    events: list[dict[str, object]], start: int, timeout: float = 30.0
) -> list[dict[str, object]]:
    """The engine's events from the phrase heard after `start` to the end of its answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mine = events[start:]
        heard = [i for i, e in enumerate(mine) if e["event"] == "PhraseHeard"]
        if heard and any(e["event"] == "AnswerEnded" for e in mine[heard[0] :]):
            return events[start + heard[0] :]
        time.sleep(0.01)
    raise RuntimeError(
        f"no answer within {timeout} s (a note-off lost on its way in keeps a phrase open: "
        f"JACK drops late cycles without realtime scheduling); last events: {events[-5:]}"
    )


def wait_connected(events: list[dict[str, object]], timeout: float = 15.0) -> None:
    """Until the engine says which ports it opened."""
    if not wait_for_event(events, 0, "PortsInUse", timeout):
        raise RuntimeError(f"the engine opened no ports: {events[-5:]}")


def list_outputs_while_answering(
    engine: LiveProcess, events: list[dict[str, object]], start: int
) -> int:
    """Once the answer has started, press `u` (the output list), and escape once the list is
    on screen, as a user looking for another output would; returns how many listings the
    engine told the UI."""
    listed = 0
    if not wait_for_event(events, start, "AnswerStarted", timeout=5.0):
        return 0
    for _ in range(2):
        before = len(events)
        engine.press("u")
        if wait_for_event(events, before, "PortsAvailable", timeout=2.0):
            listed += 1
        time.sleep(0.15)  # the UI builds the list and shows it
        engine.press("\x1b")
        time.sleep(0.15)
    return listed


def wait_for_event(events: list[dict[str, object]], start: int, name: str, timeout: float) -> bool:
    """Whether the engine told event `name` after `start`, within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(e["event"] == name for e in events[start:]):
            return True
        time.sleep(0.005)
    return False


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def show_threads(pid: int) -> None:
    """Where each of the process' threads is, on stderr (py-spy), if py-spy is installed."""
    spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if spy is not None:
        subprocess.run([spy, "dump", "--pid", str(pid)], stdout=sys.stderr, check=False)


def cpu_times() -> tuple[int, int]:
    """(all, stolen) CPU time of the machine so far, in ticks, from /proc/stat (Linux): time
    the host gave to other guests is time no process here could run."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values[:8]), values[7]


def late_cycles(log: Path) -> int:
    """How many times jackd found a client that had not finished its cycle in time."""
    return log.read_text(errors="replace").count("was not finished")


def engine_and_ui(pid: int, tui: bool) -> tuple[int, int | None]:
    """The pids of the engine and the UI: with the UI on screen, the engine runs in a process
    of its own, the program's one child."""
    if not tui:
        return pid, None
    import psutil

    children = psutil.Process(pid).children()
    assert len(children) == 1, f"the UI's process has {len(children)} children"
    return children[0].pid, pid


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q)) if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=assets.default_model())
    parser.add_argument("--answers", type=int, default=40)
    parser.add_argument("--length", type=int, default=12, help="notes per answer")
    parser.add_argument(
        "--no-realtime",
        action="store_true",
        help="run JACK without realtime scheduling (JACK then drops late cycles' messages)",
    )
    parser.add_argument(
        "--tui", action="store_true", help="run the engine under the UI, on screen in a terminal"
    )
    parser.add_argument(
        "--named", action="store_true", help="a keyboard and a DAW client, connected by name"
    )
    parser.add_argument(
        "--list-ports", action="store_true", help="with --tui: list the outputs during answers"
    )
    args = parser.parse_args()
    if args.list_ports and not args.tui:
        parser.error("--list-ports needs --tui (the u key lists the outputs)")

    server = f"musicgen-bench-{os.getpid()}"
    jack_log = Path(f"/tmp/{server}.log")
    jack = start_jack(server, jack_log, realtime=not args.no_realtime)
    os.environ["JACK_DEFAULT_SERVER"] = server
    engine = None
    try:
        baseline, baseline_lost = transport_baseline()
        midi = backend()
        if args.named:  # the devices exist first; the engine finds them by name
            player = midi.open_output("keys", virtual=True, client_name="bench-keyboard")
            capture = MonitorProcess(None, "bench-daw")
            ports = ["--in", "bench-keyboard:keys", "--out", capture.port_name]
        else:
            ports = ["--in", "bench-in", "--out", "bench-out"]
        engine = LiveProcess(
            [*ports, "--model", str(args.model)]
            + ["--length", str(args.length), "--silence", str(round(SILENCE_SECONDS * 1000))]
            + ["--rng-seed", "0"],
            tui=args.tui,
        )
        events = engine.events
        if not args.named:
            capture = MonitorProcess(wait_port("input", "bench-out"), "bench-monitor")
            player = midi.open_output(wait_port("output", "bench-in"))
        else:
            wait_connected(events)
        time.sleep(0.5)
        engine_pid, ui_pid = engine_and_ui(engine.process.pid, args.tui)
        ui_before = cpu_seconds(ui_pid) if ui_pid is not None else 0.0
        cpu_before, wall_before = cpu_seconds(engine_pid), time.monotonic()
        machine_before, late_before = cpu_times(), late_cycles(jack_log)
        listings = 0
        responses, engine_side, onset_errors, mismatched = [], [], [], 0
        sent_late: list[float] = []  # how late the engine itself sent each answer note
        for events_of_phrase in phrases(args.answers):
            before_events = len(events)
            play(player, events_of_phrase)
            if args.list_ports:
                listings += list_outputs_while_answering(engine, events, before_events)
            try:
                mine = wait_for_answer(events, before_events)
            except RuntimeError:
                show_threads(engine_pid)
                heard = [(round(at, 4), str(m)) for at, m in capture.messages[-8:]]
                print(f"now {time.monotonic():.4f}; the monitor's last: {heard}", file=sys.stderr)
                raise
            heard = next(e for e in mine if e["event"] == "PhraseHeard")
            since = float(heard["at"])  # type: ignore[arg-type]
            # JACK places a message at the start of the cycle it is delivered in, which can be
            # up to one period before the moment it was sent
            since_cycle = since - PERIOD_SECONDS
            played = [
                e for e in mine if e["event"] == "NotePlayed" and e["source"] == "model" and e["on"]
            ]
            expected = len(played)
            capture.wait_for(
                lambda since_cycle=since_cycle, expected=expected: (
                    len(capture.note_ons(since_cycle)) >= expected
                ),
                timeout=1.0,
            )
            arrivals = [(t, m.note) for t, m in capture.note_ons(since_cycle)]
            started = next(e for e in mine if e["event"] == "AnswerStarted")
            engine_side.append(float(started["latency_ms"]) / 1000)  # type: ignore[arg-type]
            if arrivals and arrivals[0][1] == played[0]["pitch"]:
                responses.append(arrivals[0][0] - since)
            if [pitch for _, pitch in arrivals] != [note["pitch"] for note in played]:
                mismatched += 1  # a message lost or garbled between the ports: no onset pairs
                last = capture.messages[-1][0] - since if capture.messages else float("nan")
                print(
                    f"answer {len(engine_side)}: sent {[note['pitch'] for note in played]}, "
                    f"arrived {[pitch for _, pitch in arrivals]} (the monitor has "
                    f"{len(capture.messages)} messages, the last at {last:+.3f} s)",
                    file=sys.stderr,
                )
                continue
            for note, (arrived, _) in zip(played, arrivals, strict=True):
                scheduled = float(note["at"]) - float(note["late_ms"]) / 1000  # type: ignore[arg-type]
                onset_errors.append(abs(arrived - scheduled))
                sent_late.append(float(note["late_ms"]) / 1000)  # type: ignore[arg-type]
            time.sleep(0.3)
        wall = time.monotonic() - wall_before
        engine_cpu = (cpu_seconds(engine_pid) - cpu_before) / wall
        ui_cpu = (cpu_seconds(ui_pid) - ui_before) / wall if ui_pid is not None else 0.0
        (total, stolen_ticks), (total_before, stolen_before) = cpu_times(), machine_before
        stolen = (stolen_ticks - stolen_before) / max(1, total - total_before)
        late = late_cycles(jack_log) - late_before
        engine.stop()
        player.close()
        capture.close()
    finally:
        if engine is not None and engine.process.poll() is None:
            engine.process.kill()
        close_listers()
        jack.terminate()
        jack.wait(timeout=10)

    result = {
        "answers": len(engine_side),
        "response_p50_ms": round(pct(responses, 50), 3),
        "response_p95_ms": round(pct(responses, 95), 3),
        "response_max_ms": round(pct(responses, 100), 3),
        "engine_response_p50_ms": round(pct(engine_side, 50), 3),
        "engine_response_p95_ms": round(pct(engine_side, 95), 3),
        "onset_error_p50_ms": round(pct(onset_errors, 50), 3),
        "onset_error_p99_ms": round(pct(onset_errors, 99), 3),
        "onset_error_max_ms": round(pct(onset_errors, 100), 3),
        "onsets": len(onset_errors),
        "sent_late_p50_ms": round(pct(sent_late, 50), 3),
        "sent_late_p99_ms": round(pct(sent_late, 99), 3),
        "sent_late_max_ms": round(pct(sent_late, 100), 3),
        "answers_with_lost_or_garbled_notes": mismatched,
        "engine_cpu_share": round(engine_cpu, 3),  # of one core, while answering
        "ui_cpu_share": round(ui_cpu, 3),  # the UI's own process, with the UI on screen
        "jack_transport_p50_ms": round(pct(baseline, 50), 3),
        "jack_transport_p99_ms": round(pct(baseline, 99), 3),
        "jack_transport_lost": baseline_lost,
        "jack_realtime": "-R" in jack.args,
        "ui_on_screen": args.tui,
        "named_ports": args.named,
        "port_listings_during_answers": listings,
        "cpu_stolen_share": round(stolen, 3),  # the host's other guests, while answering
        "jack_clients_late": late,  # jackd's "was not finished", while answering
    }
    rows = (
        ("phrase end -> first answer note", "response_p50_ms", "response_p95_ms"),
        ("  of which: in the engine", "engine_response_p50_ms", "engine_response_p95_ms"),
        ("answer onset - scheduled time", "onset_error_p50_ms", "onset_error_p99_ms"),
        ("  of which: sent late by the engine", "sent_late_p50_ms", "sent_late_p99_ms"),
        ("baseline: JACK transport alone", "jack_transport_p50_ms", "jack_transport_p99_ms"),
    )
    print(f"{'measure':<40}{'p50 ms':>10}{'p95/p99 ms':>12}")
    for title, middle, tail in rows:
        print(f"{title:<40}{result[middle]:>10.2f}{result[tail]:>12.2f}")
    print(f"the engine's process used {engine_cpu:.0%} of a core meanwhile")
    if args.tui:
        print(f"the UI's process used {ui_cpu:.0%} of a core meanwhile")
    if baseline_lost:
        print(f"JACK alone lost {baseline_lost} of its baseline's messages: it missed cycles")
    print(
        f"the host took {stolen:.1%} of this machine's CPU time meanwhile; jackd found a client "
        f"late {late} times ({late / wall:.1f} a second)"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
