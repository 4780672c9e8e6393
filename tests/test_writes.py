"""Every command that writes goes through one writer, and no write clobbers what it must not.

``--output``, ``--write-baseline``, ``--record``, ``schema --out``, ``init``, the site's
docs/ and ``register update``: symlinks are written through, devices, FIFOs and ``-`` are
streamed, the project's inputs and a repeated output are refused, a missing folder is an
error, new files get the umask's permissions, and a failed write names the path and the
reason (exit 2), never an internal error.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from projectkit import make_project, run

from airready.inventory import files
from airready.inventory.files import OutputError, open_output, write_output

TODAY = "2026-11-25"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "proj", {"inventory": ["inventory"], "controls": ["builtin"],
                                            "reports": "reports"})


def check(capsys, root: Path, *args: str | Path):
    return run(capsys, "check", "--project", root, "--today", TODAY, "--fail-on", "none", *args)


def error_line(result) -> str:
    lines = [line for line in result.err.splitlines() if line.startswith("airready: error:")]
    assert lines, result.err
    assert "internal error" not in result.err
    return lines[0]


# --- symlinks ------------------------------------------------------------------------------

def test_output_through_a_symlink_writes_its_target(project, tmp_path, capsys):
    target = tmp_path / "real.json"
    target.write_text("old\n")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert check(capsys, project, "--format", "json", "--output", link).code == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("{")


def test_output_through_a_dangling_symlink_creates_its_target(project, tmp_path, capsys):
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "made.json")
    assert check(capsys, project, "--format", "json", "--output", link).code == 0
    assert link.is_symlink()
    assert (tmp_path / "made.json").read_text().startswith("{")


def test_a_symlink_loop_is_a_clear_error(project, tmp_path, capsys):
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    result = check(capsys, project, "--format", "json", "--output", tmp_path / "a.json")
    assert result.code == 2
    assert "a.json" in error_line(result)


# --- devices, FIFOs, standard output ----------------------------------------------------------

def test_a_device_is_written_directly_never_renamed_over(project, capsys):
    assert check(capsys, project, "--format", "json", "--output", "/dev/null").code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_failing_device_write_names_the_path_and_reason(project, capsys):
    result = check(capsys, project, "--format", "json", "--output", "/dev/full")
    assert result.code == 2
    line = error_line(result)
    assert "/dev/full" in line and "No space left on device" in line


def test_a_fifo_is_streamed_to_its_reader(project, tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader)
    thread.start()
    time.sleep(0.2)  # the reader is waiting in open()
    result = check(capsys, project, "--format", "json", "--output", fifo)
    thread.join(timeout=10)
    assert result.code == 0, result.err
    assert received and received[0].startswith(b"{")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_fifo_nobody_reads_is_an_error_not_a_hang(project, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "airready", "check", "--project", str(project),
                           "--fail-on", "none", "--format", "json", "--output", str(fifo)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pipe" in done.stderr and "nothing is reading" in done.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dev_stdout_appends_to_the_redirected_file_without_replacing_it(project, tmp_path):
    out = tmp_path / "captured.txt"
    with open(out, "w") as handle:
        handle.write("before\n")
        handle.flush()
        inode = os.fstat(handle.fileno()).st_ino
        done = subprocess.run([sys.executable, "-m", "airready", "check", "--project",
                               str(project), "--fail-on", "none", "--format", "json",
                               "--output", "/dev/stdout"], stdout=handle, stderr=subprocess.PIPE,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert os.stat(out).st_ino == inode  # the same file: nothing was renamed over it
    text = out.read_text()
    assert text.startswith("before\n{") and '"schema_version"' in text


def test_dash_is_standard_output(project, capsys):
    result = check(capsys, project, "--format", "json", "--output", "-")
    assert result.code == 0
    assert result.out.startswith("{")
    assert not Path("-").exists()
    baseline = run(capsys, "check", "--project", project, "--write-baseline", "-")
    assert baseline.code == 0 and '"entries"' in baseline.out


def test_record_to_standard_output_and_to_a_device(project, capsys):
    result = run(capsys, "scorecard", "--project", project, "--today", TODAY, "--record", "-")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].startswith('{"commit"')
    result = run(capsys, "scorecard", "--project", project, "--today", TODAY,
                 "--record", "/dev/null")
    assert result.code == 0, result.err


# --- the project's inputs, repeated outputs, missing folders ----------------------------------

@pytest.mark.parametrize("name", ["airready.yaml", "inventory/org.yaml", "inventory/new.yaml",
                                  "reports/risk-register.yaml", "reports/incidents/x.yml"])
def test_an_input_of_the_project_is_never_an_output(project, capsys, name):
    path = project / name
    before = path.read_bytes() if path.exists() else None
    for option in ("--output", "--write-baseline"):
        args = ("--format", "json", option, path) if option == "--output" else (option, path)
        result = check(capsys, project, *args)
        assert result.code == 2
        line = error_line(result)
        assert name.split("/")[-1] in line and "input" in line
        assert (path.read_bytes() if path.exists() else None) == before
    result = run(capsys, "scorecard", "--project", project, "--record", path)
    assert result.code == 2 and (path.read_bytes() if path.exists() else None) == before


def test_an_input_reached_through_a_symlink_is_refused_too(project, tmp_path, capsys):
    link = tmp_path / "innocent.json"
    link.symlink_to(project / "inventory" / "org.yaml")
    before = (project / "inventory" / "org.yaml").read_bytes()
    result = check(capsys, project, "--format", "json", "--output", link)
    assert result.code == 2
    assert (project / "inventory" / "org.yaml").read_bytes() == before


def test_the_same_output_twice_is_an_error(project, tmp_path, capsys):
    out = tmp_path / "out.json"
    result = check(capsys, project, "--format", "json", "--output", out,
                   "--format", "sarif", "--output", out)
    assert result.code == 2 and "twice" in error_line(result)
    assert not out.exists()
    os.chdir(tmp_path)
    result = check(capsys, project, "--format", "json", "--output", "out.json",
                   "--format", "sarif", "--output", "./out.json")
    assert result.code == 2 and "twice" in error_line(result)
    result = check(capsys, project, "--format", "json", "--output", "-", "--format", "text")
    assert result.code == 2  # both to standard output


@pytest.mark.parametrize("command", ["output", "baseline", "record", "schema", "init"])
def test_a_missing_folder_is_an_error_and_is_not_created(project, tmp_path, capsys, command):
    missing = tmp_path / "no" / "such"
    args = {"output": ["check", "--project", project, "--format", "json", "--output",
                       missing / "out.json"],
            "baseline": ["check", "--project", project, "--write-baseline",
                         missing / "b.json"],
            "record": ["scorecard", "--project", project, "--record", missing / "h.jsonl"],
            "schema": ["schema", "--out", missing / "schemas"],
            "init": ["init", missing / "project"]}[command]
    result = run(capsys, *args)
    assert result.code == 2
    assert "does not exist" in error_line(result)
    assert not (tmp_path / "no").exists()


def test_a_path_that_is_a_folder_is_an_error(project, tmp_path, capsys):
    result = check(capsys, project, "--format", "json", "--output", tmp_path)
    assert result.code == 2 and str(tmp_path) in result.err  # click's own check
    with pytest.raises(OutputError, match="folder"):
        write_output(tmp_path, "text")


# --- permissions ----------------------------------------------------------------------------

def test_new_files_get_the_umask_permissions_and_old_ones_keep_theirs(project, tmp_path, capsys):
    old = os.umask(0o022)
    try:
        new = tmp_path / "new.json"
        kept = tmp_path / "kept.json"
        kept.write_text("x")
        kept.chmod(0o640)
        assert check(capsys, project, "--format", "json", "--output", new,
                     "--format", "sarif", "--output", kept).code == 0
        assert stat.S_IMODE(new.stat().st_mode) == 0o644
        assert stat.S_IMODE(kept.stat().st_mode) == 0o640
        assert run(capsys, "schema", "--out", tmp_path / "schemas").code == 0
        assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "schemas").iterdir()} == {
            0o644}
    finally:
        os.umask(old)


def test_the_named_temporary_file_fallback_has_the_same_permissions(tmp_path, monkeypatch):
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)  # a file system without it
    old = os.umask(0o027)
    try:
        assert write_output(tmp_path / "a.txt", "text\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["a.txt"]


def test_a_read_only_file_is_refused(project, tmp_path, capsys):
    out = tmp_path / "out.json"
    out.write_text("keep me")
    out.chmod(0o444)
    result = check(capsys, project, "--format", "json", "--output", out)
    assert result.code == 2
    assert "read-only" in error_line(result)
    assert out.read_text() == "keep me"


# --- failures and interruptions ---------------------------------------------------------------

def test_a_failed_rename_names_the_path_and_leaves_nothing_behind(project, tmp_path, capsys,
                                                                  monkeypatch):
    out = tmp_path / "out.json"
    out.write_text("old")

    def full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    result = check(capsys, project, "--format", "json", "--output", out)
    assert result.code == 2
    line = error_line(result)
    assert str(out) in line and "No space left on device" in line
    assert out.read_text() == "old"
    assert os.listdir(tmp_path) == ["proj", "out.json"] or sorted(os.listdir(tmp_path)) == [
        "out.json", "proj"]


def test_an_exception_while_writing_keeps_the_old_file(tmp_path, monkeypatch):
    for fallback in (False, True):
        if fallback:
            monkeypatch.delattr(os, "O_TMPFILE", raising=False)
        out = tmp_path / "out.txt"
        out.write_text("old")
        with pytest.raises(KeyboardInterrupt), open_output(out) as handle:
            handle.write("half")
            raise KeyboardInterrupt
        assert out.read_text() == "old"
        assert os.listdir(tmp_path) == ["out.txt"]


KILLED_WRITER = """\
import sys, time
from airready.inventory.files import open_output
with open_output(sys.argv[1]) as handle:
    handle.write("x" * 100000)
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


# Nothing can clean up after SIGKILL: only the nameless O_TMPFILE way leaves nothing then.
@pytest.mark.parametrize(("how", "fallback"), [(signal.SIGKILL, False), (signal.SIGTERM, False),
                                               (signal.SIGTERM, True)])
def test_no_stray_temporary_file_after_a_kill(tmp_path, how, fallback):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "report.json").write_text("old")
    script = KILLED_WRITER
    if fallback:  # a file system without O_TMPFILE; SIGTERM unwinds through the clean-up
        script = ("import os, signal, sys\ndel os.O_TMPFILE\n"
                  "signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))\n" + script)
    elif how == signal.SIGTERM:
        script = "from airready.cli import _on_terminate, _terminated\n" \
                 "_on_terminate(_terminated)\n" + script
    child = subprocess.Popen([sys.executable, "-c", script, str(folder / "report.json")],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "writing\n"
    child.send_signal(how)
    child.wait(timeout=30)
    assert os.listdir(folder) == ["report.json"]
    assert (folder / "report.json").read_text() == "old"


def test_the_cli_turns_sigterm_into_a_clean_exit(project, tmp_path):
    # airready's own handler: SIGTERM unwinds like Ctrl-C (finally blocks run)
    code = textwrap.dedent("""
        import os, signal
        from airready.cli import _on_terminate, _terminated
        _on_terminate(_terminated)
        try:
            os.kill(os.getpid(), signal.SIGTERM)
        finally:
            print("cleaned up")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 143 and done.stdout == "cleaned up\n"


# --- schema --out and init ---------------------------------------------------------------------

def test_schema_out_writes_through_a_symlinked_folder(tmp_path, capsys):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "schemas").symlink_to(real, target_is_directory=True)
    assert run(capsys, "schema", "--out", tmp_path / "schemas").code == 0
    assert (tmp_path / "schemas").is_symlink()
    assert (real / "airready.schema.json").is_file()


def test_init_never_reads_or_replaces_what_is_not_a_regular_file(tmp_path, capsys):
    target = tmp_path / "new"
    target.mkdir()
    os.mkfifo(target / "airready.yaml")  # reading it would hang
    result = run(capsys, "init", target)
    assert result.code == 2
    assert "airready.yaml" in result.err
    assert stat.S_ISFIFO(os.stat(target / "airready.yaml").st_mode)


# --- the library ----------------------------------------------------------------------------

def test_write_output_reports_unchanged_content(tmp_path):
    path = tmp_path / "a.txt"
    assert write_output(path, "one\n") is True
    mtime = path.stat().st_mtime_ns
    assert write_output(path, "one\n") is False
    assert path.stat().st_mtime_ns == mtime


def test_a_renderer_can_stream_into_the_writer(tmp_path):
    path = tmp_path / "big.json"
    with open_output(path, binary=True) as handle:
        for index in range(1000):
            handle.write(b"%d\n" % index)
        assert not path.exists()  # nothing has its name until the block ends
    assert path.read_bytes().count(b"\n") == 1000


def test_within_refuses_a_symlink_leading_out(tmp_path):
    inside = tmp_path / "docs"
    inside.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("safe")
    (inside / "page.md").symlink_to(victim)
    with pytest.raises(OutputError, match="leads outside"):
        write_output(inside / "page.md", "overwritten", within=inside)
    assert victim.read_text() == "safe"


def test_is_inside_follows_symlinks(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "out").symlink_to(tmp_path)
    assert files.is_inside(tmp_path / "in" / "x", tmp_path / "in")
    assert not files.is_inside(tmp_path / "in" / "out" / "x", tmp_path / "in")


def test_record_to_dev_stdout_on_a_pipe_is_not_read_back(project):
    # /dev/stdout on a pipe opens the pipe itself: reading the trend back from it would wait
    # for ever for what airready was about to write.
    done = subprocess.run([sys.executable, "-m", "airready", "scorecard", "--project",
                           str(project), "--today", TODAY, "--record", "/dev/stdout"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('{"commit"')
    assert "Organisation: level" in done.stdout


def test_a_history_that_is_a_fifo_is_an_error_not_a_hang(project, tmp_path, capsys):
    fifo = tmp_path / "history.jsonl"
    os.mkfifo(fifo)
    result = run(capsys, "scorecard", "--project", project, "--history", fifo)
    assert result.code == 2
    assert "not a regular file" in result.out
