"""Create (or reset) the test users the live test logs in with."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

# username, password, email (non-ASCII on purpose)
USERS = [
    ("alice", "alice-pw-1", "alice@example.org"),
    ("bob", "bob-pw-2", "zoë@exämple.org"),
    ("carol", "carol-pw-3", ""),
    ("dmitri", "dmitri-pw-4", "дмитрий@пример.рф"),
]


class Command(BaseCommand):
    help = "Create the parity test users"

    def handle(self, *args, **options):
        model = get_user_model()
        for username, password, email in USERS:
            user, _ = model.objects.get_or_create(username=username)
            user.email = email
            user.is_active = True
            user.set_password(password)
            user.save()
        self.stdout.write(f"{len(USERS)} users ready")
