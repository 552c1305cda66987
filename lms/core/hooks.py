"""How a lower package asks the packages above it for something, without importing them.

- A `Hook` is a rule that must hold (may this learner start this quiz? end this person's sessions): the lower
  package declares it and calls it; one higher package provides it in its `init_app`. An app whose hooks are not
  all provided does not start (`check_hooks`), so a rule can never fail open because nobody answered.
- A `Registry` collects values from any number of packages (the checks of a course folder, the menu), in the
  order their packages were set up.

Signals (`lms.core.signals`) remain for news that may have no listener. Providers and entries live on the app,
so that every app `create_app` builds has its own.
"""
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

_HOOKS_KEY = "lms.hooks"
_REGISTRIES_KEY = "lms.registries"


class HookMissing(RuntimeError):
    """A required hook has no provider: the app refuses to start rather than skip the rule."""


class Hook:
    """`name` is "<package>.<what>": the package that declares the hook and calls it."""

    declared: dict[str, "Hook"] = {}

    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc
        Hook.declared[name] = self

    def provide(self, app: Flask, function: Callable) -> None:
        providers = app.extensions.setdefault(_HOOKS_KEY, {})
        if providers.get(self.name, function) is not function:
            raise RuntimeError(f"hook {self.name} has two providers")
        providers[self.name] = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        function = current_app.extensions.get(_HOOKS_KEY, {}).get(self.name)
        if function is None:
            raise HookMissing(f"no package provides the hook {self.name}")
        return function(*args, **kwargs)


def check_hooks(app: Flask, packages: tuple[str, ...]) -> None:
    """At the end of start-up: every hook that the packages set up declare is provided."""
    provided = app.extensions.get(_HOOKS_KEY, {})
    missing = sorted(name for name in Hook.declared
                     if name.split(".", 1)[0] in packages and name not in provided)
    if missing:
        raise HookMissing("no package provides the hook(s): " + ", ".join(missing))


class Registry:
    def __init__(self, name: str, doc: str) -> None:
        self.name = name
        self.__doc__ = doc

    def add(self, app: Flask, entry: Any) -> None:
        app.extensions.setdefault(_REGISTRIES_KEY, {}).setdefault(self.name, []).append(entry)

    def entries(self, app: Flask | None = None) -> list:
        return list((app or current_app).extensions.get(_REGISTRIES_KEY, {}).get(self.name, ()))
