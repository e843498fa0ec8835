"""``flask onboarding ...``, registered at init_app without importing the CLI.

The CLI module imports the content loader, the checks and their parsers, which only its
commands need; this group stands in for ``cli.onboarding_cli`` and loads it when the ``flask``
command lists or runs an ``onboarding`` subcommand (click's "lazily loading subcommands").
"""

from __future__ import annotations

import click


class _LazyGroup(click.Group):
    @staticmethod
    def _real() -> click.Group:
        from .cli import onboarding_cli

        return onboarding_cli

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._real().get_command(ctx, cmd_name)


onboarding_command = _LazyGroup("onboarding", help="Inspect onboarding_sdk users, rules and content.")
