"""The educational record: programmes and their versions, learners, assessments and awards
(`records`), and the batch jobs that issue awards by the thousand (`batches`).

Models hold data and the invariants the database can enforce; every write goes through
`credentials.services`, every staff read through `credentials.selectors`.
"""

from .batches import BatchChunk, BatchItem, IssuingBatch
from .evidence import EvidenceFile
from .recognition import RecognisedAchievement, Recognition, RecognitionRule
from .records import (
    NON_PROGRAMME_DESCRIPTORS,
    Assessment,
    Award,
    AwardNotice,
    Learner,
    LearnerEnrolment,
    LearnerLoginToken,
    Programme,
    ProgrammeVersion,
    StackRequirement,
    badge_upload_to,
    localised,
    normalise_email,
)

__all__ = [
    "NON_PROGRAMME_DESCRIPTORS",
    "Assessment",
    "Award",
    "AwardNotice",
    "BatchChunk",
    "BatchItem",
    "EvidenceFile",
    "IssuingBatch",
    "Learner",
    "LearnerEnrolment",
    "LearnerLoginToken",
    "Programme",
    "ProgrammeVersion",
    "RecognisedAchievement",
    "Recognition",
    "RecognitionRule",
    "StackRequirement",
    "badge_upload_to",
    "localised",
    "normalise_email",
]
