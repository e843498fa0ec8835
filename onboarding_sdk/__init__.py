"""onboarding_sdk: in-product onboarding for Flask apps. The public names only."""

from .errors import (
    ConfigurationError,
    InvalidArgument,
    InvalidProfile,
    NoCurrentUser,
    NoUserLoader,
    OnboardingError,
    StorageError,
    UnknownEvent,
)
from .extension import Onboarding
from .identity import UserProfile
from .state import STAGES, EventStats, UserState

__version__ = "0.1.0"

__all__ = [
    "STAGES",
    "ConfigurationError",
    "EventStats",
    "InvalidArgument",
    "InvalidProfile",
    "NoCurrentUser",
    "NoUserLoader",
    "Onboarding",
    "OnboardingError",
    "StorageError",
    "UnknownEvent",
    "UserProfile",
    "UserState",
    "__version__",
]
