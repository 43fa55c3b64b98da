"""Invalid verification fixtures and the committed scripts that regenerate them; tests import
the scripts as modules (``from tests.invalid import make_invalid``)."""
