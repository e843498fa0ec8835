"""The app's blueprints, one small module per product area."""
