"""The kinds of findable objects, one module per owning app (see `registry`)."""
