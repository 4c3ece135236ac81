"""Dashboard forms, by area; rendered with django-crispy-forms (Bootstrap 5)."""
