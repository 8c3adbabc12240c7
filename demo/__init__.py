"""The offline demo (`make demo`): the daily schedule against recorded responses."""
