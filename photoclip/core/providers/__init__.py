"""Built-in model providers (see :mod:`photoclip.core.model_provider`): ``open_clip`` for the
open_clip catalogue and user configs, ``chinese_clip`` for OFA-Sys Chinese-CLIP."""
