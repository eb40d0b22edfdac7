"""What an MPI launcher's command line asks for: which launcher, and its own options.

The launcher is `mpirun` (or `mpiexec`, `mpiexec.hydra`, `orterun`), `horovodrun` or
`deepspeed`, found as a word of the command (or inside a shell script given to
`sh -c`). Its options end at the first word that is not an option or an option's
value: that is the program, and what follows is the program's business. Which options
take a value is known by name for each launcher; any other option is read as a flag.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The launcher a word starts, by the word's last path component.
LAUNCHERS: Mapping[str, str] = {
    "mpirun": "mpirun",
    "mpiexec": "mpirun",
    "mpiexec.hydra": "mpirun",
    "orterun": "mpirun",
    "horovodrun": "horovodrun",
    "deepspeed": "deepspeed",
}

# Options that take values (how many), per launcher. OpenMPI and the Hydra launchers
# of Intel MPI and MPICH share the spellings that matter here.
_MPIRUN_ARITY: Mapping[str, int] = {
    **dict.fromkeys(
        (
            "-np", "-n", "--np", "--n", "-c", "-N", "-npernode", "--npernode", "-ppn",
            "-perhost", "-H", "-host", "--host", "-hostfile", "--hostfile", "-machinefile",
            "--machinefile", "-f", "-x", "-map-by", "--map-by", "-bind-to", "--bind-to",
            "-rank-by", "--rank-by", "-wdir", "--wdir", "-wd", "-prefix", "--prefix",
            "-output-filename", "--output-filename", "-genvlist", "-envlist", "-bootstrap",
            "-iface", "-launcher", "-rmk",
        ),
        1,
    ),
    **dict.fromkeys(("-mca", "--mca", "-gmca", "--gmca", "-genv", "-env"), 2),
}  # fmt: skip
_HOROVODRUN_ARITY: Mapping[str, int] = dict.fromkeys(
    (
        "-np", "--num-proc", "-H", "--hosts", "--hostfile", "-p", "--ssh-port", "-i",
        "--ssh-identity-file", "--start-timeout", "--network-interface", "--output-filename",
        "--log-level", "--min-np", "--max-np", "--slots-per-host", "--slots",
        "--host-discovery-script", "--reset-limit", "--cycle-time-ms", "--cache-capacity",
        "--fusion-threshold-mb", "--timeline-filename", "--mpi-args", "--config-file",
    ),
    1,
)  # fmt: skip
# deepspeed's options are spelled with underscores; dashes are read the same.
_DEEPSPEED_ARITY: Mapping[str, int] = dict.fromkeys(
    (
        "-H", "--hostfile", "-i", "--include", "-e", "--exclude", "--num_nodes",
        "--min_elastic_nodes", "--max_elastic_nodes", "--num_gpus", "--num_accelerators",
        "--master_port", "--master_addr", "--node_rank", "--launcher", "--launcher_args",
        "--autotuning", "--ssh_port", "--bind_core_list",
    ),
    1,
)  # fmt: skip
_ARITY: Mapping[str, Mapping[str, int]] = {
    "mpirun": _MPIRUN_ARITY,
    "horovodrun": _HOROVODRUN_ARITY,
    "deepspeed": _DEEPSPEED_ARITY,
}


@dataclass(frozen=True)
class LaunchCall:
    launcher: str  # "mpirun", "horovodrun" or "deepspeed"
    # Each option as given, in order (an option may repeat, like mpirun's -x).
    options: tuple[tuple[str, tuple[str, ...]], ...]

    def values(self, *names: str) -> list[str]:
        """The first value of every occurrence of any of `names`."""
        return [values[0] if values else "" for name, values in self.options if name in names]

    def has(self, *names: str) -> bool:
        return any(name in names for name, _ in self.options)


def words_of(command: Sequence[str]) -> list[str]:
    """The command's words, a shell script's (`sh -c "mpirun ..."`) split as sh would."""
    words: list[str] = []
    for word in command:
        if any(space in word for space in " \t\n"):
            try:
                words += shlex.split(word)
            except ValueError:  # unbalanced quotes: the shell's problem, read it as is
                words.append(word)
        else:
            words.append(word)
    return words


def _launcher_at(words: Sequence[str]) -> tuple[int, str] | None:
    for index, word in enumerate(words):
        launcher = LAUNCHERS.get(word.rsplit("/", 1)[-1])
        if launcher is not None:
            return index, launcher
    return None


def _name(launcher: str, option: str) -> str:
    if launcher == "deepspeed" and option.startswith("--"):
        return "--" + option[2:].replace("-", "_")
    return option


def launch_call(command: Sequence[str]) -> LaunchCall | None:
    """The launcher and its options in `command` (command then args), or None."""
    words = words_of(command)
    found = _launcher_at(words)
    if found is None:
        return None
    start, launcher = found
    arity = _ARITY[launcher]
    options: list[tuple[str, tuple[str, ...]]] = []
    index = start + 1
    while index < len(words):
        word = words[index]
        if word == "--" or not word.startswith("-") or word == "-":
            break
        name, equals, inline = word.partition("=")
        name = _name(launcher, name)
        if equals:
            options.append((name, (inline,)))
            index += 1
            continue
        count = arity.get(name, 0)
        options.append((name, tuple(words[index + 1 : index + 1 + count])))
        index += 1 + count
    return LaunchCall(launcher, tuple(options))
