"""Export and quantise the packaged embedding model ahead of time (first run only), so the
first upload does not wait for it."""

from django.conf import settings
from django.core.management.base import BaseCommand

from curation.embedding import export_onnx, onnx_export_path


class Command(BaseCommand):
    help = "Prepare the embedding model for the configured backend."

    def handle(self, *args, **options) -> None:
        if settings.EMBEDDING_BACKEND != "onnx-int8":
            self.stdout.write(f"Backend {settings.EMBEDDING_BACKEND}: nothing to prepare.")
            return
        if onnx_export_path(settings.MODEL_CACHE_DIR).exists():
            self.stdout.write("Embedding model ready.")
            return
        self.stdout.write("Preparing the embedding model (first run only, about half a minute)…")
        path = export_onnx(settings.MODEL_CACHE_DIR)
        self.stdout.write(f"Embedding model ready: {path}")
