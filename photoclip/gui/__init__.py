"""The photoclip desktop app (PySide6): wiring, Qt item models and layout-only views.

Nothing here imports torch or open_clip; the model is reached only through the core's Library,
always from a worker thread.
"""
