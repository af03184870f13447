"""The queue port's adapters: how a submitted task reaches a worker."""
