"""gunicorn's logger, with guest links' tokens hidden in the access log (norsjo.logs)."""

from gunicorn.glogging import Logger

from norsjo.logs import hide_guest_tokens


class GuestSafeLogger(Logger):
    """The access log's request line (%(r)s) and path (%(U)s) without a guest token."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if atoms.get(key):
                atoms[key] = hide_guest_tokens(atoms[key])
        return atoms
