"""Invalid Open Badges 2.0 assertions (``from tests.invalid.ob2 import make_invalid_ob2``)."""
