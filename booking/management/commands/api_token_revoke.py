"""Revoke an API token by its first 12 characters (its prefix).

Usage: ``manage.py api_token_revoke blk_AbCdEfGh``.
"""

from django.core.management.base import BaseCommand, CommandError

from booking.models import ApiToken
from booking.tokens import api_token_revoke


class Command(BaseCommand):
    help = "Revoke an API token; it stops working at once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("prefix", help="The token's first 12 characters.")

    def handle(self, *args, **options) -> None:
        tokens = list(ApiToken.objects.filter(prefix=options["prefix"][:12]))
        if len(tokens) != 1:
            raise CommandError(
                f"No single token starts with {options['prefix']!r} ({len(tokens)} do)."
            )
        token = api_token_revoke(token=tokens[0])
        self.stdout.write(f"Revoked “{token.name}” ({token.prefix}…).")
