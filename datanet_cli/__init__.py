"""`datanet`: the command-line client of a Datanets server.

It speaks only the public REST API (/api/v1/), so everything it does a script can do too.
"""

__version__ = "0.1.0"
