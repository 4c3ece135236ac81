"""Dashboard views, one module per area. Thin: rules live in booking/ services."""
