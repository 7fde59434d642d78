from django.core.management.base import BaseCommand

from drf_sso_feed.documents import build_jwks_document

from ._write import write


class Command(BaseCommand):
    help = "Writes the signed key-set (JWKS) document (to stdout, or atomically to --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to replace atomically (default: stdout)")

    def handle(self, *args, output=None, **options):
        write(build_jwks_document(), output, self.stdout)
