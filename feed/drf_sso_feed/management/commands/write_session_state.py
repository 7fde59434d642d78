from django.core.management.base import BaseCommand

from drf_sso_feed.documents import build_state_document
from drf_sso_feed.documents import prune as prune_recorded

from ._write import write


class Command(BaseCommand):
    help = "Writes the signed session-state document (to stdout, or atomically to --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to replace atomically (default: stdout)")
        parser.add_argument("--prune", action="store_true",
                            help="first delete recorded re-issues and deletions older than the horizon")

    def handle(self, *args, output=None, prune=False, **options):
        if prune:
            n = prune_recorded()
            self.stderr.write(f"pruned {n} recorded rows")
        write(build_state_document(), output, self.stdout)
