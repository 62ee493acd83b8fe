"""Direct-to-bucket uploads in the S3 profile: the client PUTs the file to a presigned URL,
then calls complete; the server hashes the object by streaming it back and makes the
submission from the object where it lies (no copy). A refused upload deletes the object."""

import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.storage import storages

from datanets import permissions
from datanets.models import Datanet
from datanets.parsing import safe_filename
from datanets.storage import STORAGE_ERRORS
from datanets.submissions import UploadRefused, check_contributor, submission_create_from_file

SALT = "datanets.presigned-upload"
MAX_AGE = 24 * 3600


def _storage() -> Any:
    if settings.STORAGE_BACKEND != "s3":
        raise UploadRefused("Presigned uploads need the S3 storage profile; upload the file as multipart instead.")
    return storages["default"]


def presigned_upload_create(*, datanet: Datanet, contributor: Any, filename: str, size: int,
                            content_type: str = "application/octet-stream") -> dict:
    check_contributor(datanet, contributor)
    storage = _storage()
    if size > settings.MAX_UPLOAD_BYTES:
        raise UploadRefused(f"The file is {size:,} bytes, over the limit of {settings.MAX_UPLOAD_BYTES:,}. "
                            "Split it into smaller files.", status=413)
    name = safe_filename(filename or "upload")
    key = f"datanets/{datanet.pk}/incoming/{uuid.uuid4()}/{name}"
    client = storage.connection.meta.client
    url = client.generate_presigned_url(
        "put_object", Params={"Bucket": storage.bucket_name, "Key": key, "ContentType": content_type},
        ExpiresIn=settings.STORAGES["default"]["OPTIONS"].get("querystring_expire", 900),
    )
    upload_id = signing.dumps({"d": datanet.pk, "u": contributor.pk, "k": key, "n": name}, salt=SALT)
    return {"upload_id": upload_id, "url": url, "method": "PUT", "headers": {"Content-Type": content_type}}


def presigned_upload_complete(*, contributor: Any, upload_id: str):
    try:
        data = signing.loads(upload_id, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as exc:
        raise UploadRefused("This upload id is unknown or expired; ask for a new upload URL.") from exc
    datanet = Datanet.objects.filter(pk=data["d"]).first()
    if datanet is None or not permissions.can_view(contributor, datanet):
        # A private datanet's upload is not there for whoever may not see the datanet.
        raise UploadRefused("No datanet here.", status=404)
    if data["u"] != contributor.pk:
        raise UploadRefused("This upload belongs to another user.", status=403)
    storage = _storage()
    try:
        if not storage.exists(data["k"]):
            raise UploadRefused("Nothing was uploaded to the URL yet: PUT the file (with its Content-Type) first.")
        with storage.open(data["k"], "rb") as stream:
            return submission_create_from_file(datanet=datanet, contributor=contributor, stream=stream,
                                               original_name=data["n"], stored_key=data["k"])
    except STORAGE_ERRORS as exc:
        # The uploaded object stays where it is: the same completion call works once the store answers.
        raise UploadRefused("The file store is not answering right now, so the upload could not be checked. "
                            "Your file is kept; send this completion request again in a minute.", status=503) from exc
    except UploadRefused as exc:
        if exc.status != 503:
            storage.delete(data["k"])
        raise
