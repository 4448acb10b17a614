"""The one exception family. The CLI turns any of these into a message and an exit code."""

from __future__ import annotations


class ConsolidatorError(Exception):
    """Base of every error the tool raises on purpose. `exit_code` is what the CLI exits with."""

    exit_code = 2


class RepoError(ConsolidatorError):
    """The repository path is missing, not a directory, or not usable."""


class GitError(ConsolidatorError):
    """A git command failed or git is unavailable where it is required."""


class ConfigError(ConsolidatorError):
    """The configuration is invalid (unknown key, wrong type)."""


class PlanError(ConsolidatorError):
    """A plan file cannot be read, or does not validate. `problems` lists every problem found."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        detail = "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(message + detail)


class ApplyError(ConsolidatorError):
    """Apply refused to run or could not finish; the repository is left as the message says."""


class SiteError(ConsolidatorError):
    """Generating or building the docs site failed."""


class BuildFailed(SiteError):
    """The site did not build: a warning in strict mode, or a page that cannot be rendered."""

    exit_code = 1


class CheckFailed(ConsolidatorError):
    """`consolidate check` found new problems."""

    exit_code = 1
