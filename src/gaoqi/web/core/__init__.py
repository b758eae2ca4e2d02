"""What every app of the platform shares: locking the object a write acts on (``locks``)."""
