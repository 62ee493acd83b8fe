"""What the file store can raise when it is down or refuses, and the message a user gets then."""

from botocore.exceptions import BotoCoreError, ClientError

# Connection refused or timed out, S3 errors, a full or unwritable local disk.
STORAGE_ERRORS: tuple[type[BaseException], ...] = (BotoCoreError, ClientError, OSError)

STORAGE_DOWN_MESSAGE = ("The file store is not answering right now, so the upload was not stored and nothing of it "
                        "was kept. Try again in a minute; if it keeps failing, tell the site's operators.")
