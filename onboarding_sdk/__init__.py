"""onboarding_sdk: in-product onboarding for Flask apps. The public names only."""

from .app_state import OnboardingState, get_state
from .content import ContentError, ContentProblem
from .errors import (
    ConfigurationError,
    InvalidArgument,
    InvalidProfile,
    NoCurrentUser,
    NoUserLoader,
    OnboardingError,
    StaleDraft,
    StaleRevision,
    StorageError,
    UnknownEvent,
)
from .extension import Onboarding
from .identity import UserProfile
from .state import STAGES, EventStats, UserState
from .storage.population import DormantAccount

__version__ = "0.1.0"

__all__ = [
    "STAGES",
    "ConfigurationError",
    "ContentError",
    "ContentProblem",
    "DormantAccount",
    "EventStats",
    "InvalidArgument",
    "InvalidProfile",
    "NoCurrentUser",
    "NoUserLoader",
    "Onboarding",
    "OnboardingError",
    "OnboardingState",
    "StaleDraft",
    "StaleRevision",
    "StorageError",
    "UnknownEvent",
    "UserProfile",
    "UserState",
    "__version__",
    "get_state",
]
