"""What the reorderable lists of the management screens share: the whole new order sent as JSON by drag and drop,
and the "Move up" / "Move down" forms that put the keyboard back on the moved item."""
from flask import jsonify

from lms.core.i18n import _, localize_digits


def ordered_ids(payload) -> list[int] | None:
    """The ids of a reorder request's JSON body ({"ids": [3, 1, 2]}); None when it is not that."""
    ids = payload.get("ids") if isinstance(payload, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        return None
    return ids


def order_error(message: str, status: int = 400):
    """The JSON answer of a refused reorder; the page shows the message and puts the list back."""
    return jsonify(error={"message": message}), status


def moved_item(args) -> dict | None:
    """The item a keyboard move just moved ({"id", "direction"}), to put the focus back on its button."""
    ident, direction = args.get("moved", type=int), args.get("direction")
    return {"id": ident, "direction": direction} if ident and direction in ("up", "down") else None


def moved_text(name: str, position: int) -> str:
    return _("Moved %(name)s to position %(position)s.", name=name, position=localize_digits(position))
