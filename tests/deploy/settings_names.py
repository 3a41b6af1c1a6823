"""Every environment name voxhub's Settings read: VOXHUB_ names with "__" nesting, and aliases."""

from __future__ import annotations

from pydantic import AliasChoices, BaseModel

from voxhub.settings import Settings

PREFIX = "VOXHUB_"


def setting_names() -> set[str]:
    names = _nested(Settings, PREFIX)
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias)
        elif isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
    return names


def _nested(model: type[BaseModel], prefix: str) -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        if field.validation_alias is not None:
            continue  # read under its alias only
        env = f"{prefix}{name.upper()}"
        # a nested model is set whole (JSON) or field by field
        names.add(env)
        kind = field.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            names |= _nested(kind, f"{env}__")
    return names
