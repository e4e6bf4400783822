"""Payment by results: funding definitions and forecasts, results rules and claims arithmetic (pure, no Django)."""
