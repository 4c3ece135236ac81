"""Create a personal API token and print it once (the database keeps only its hash).

Usage: ``manage.py api_token_create --user <email> --business <slug> --name <name>``.
The token goes to stdout alone (``TOKEN=$(…)`` works); the explanation to stderr.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from booking.models import Business
from booking.tokens import TokenError, api_token_create


class Command(BaseCommand):
    help = "Create an API token for a member of a business; prints the token once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="The member's email.")
        parser.add_argument("--business", required=True, help="The business's slug.")
        parser.add_argument("--name", required=True, help="What the token is for.")

    def handle(self, *args, **options) -> None:
        users = get_user_model().objects.filter(email__iexact=options["user"])
        if len(users) != 1:
            raise CommandError(
                f"No single user has the email {options['user']!r} ({len(users)} do)."
            )
        business = Business.objects.filter(slug=options["business"]).first()
        if business is None:
            raise CommandError(f"No business has the slug {options['business']!r}.")
        try:
            token, raw = api_token_create(
                user=users[0], business=business, name=options["name"]
            )
        except TokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stderr.write(
            f"Token “{token.name}” ({token.prefix}…) for {users[0].email} at "
            f"{business.name}. It is shown only now; store it somewhere safe:"
        )
        self.stdout.write(raw)
