"""All models, imported here so Alembic and the session see one metadata."""

from core.models.agreement import AgreementAssessment, AgreementSignature, AgreementVersion
from core.models.application import Application, ApplicationDocument

from core.models.audit import AuditEvent
from core.models.audit_chain import AuditChainHead
from core.models.bevakning import CalendarFeed, ReminderDigest
from core.models.case_state import CaseState, CaseTask, CaseTaskRole
from core.models.data_version import DataVersion
from core.models.decision import Decision
from core.models.diarium import Matter, RegistryEntry, RegistrySeries
from core.models.document import Document
from core.models.form_response import FormResponse
from core.models.library import LibraryDocument
from core.models.mail import OutboxMessage
from core.models.meeting import Meeting
from core.models.message import Message
from core.models.organisation import ContactPerson, Organisation, Representative, TenantOrganisation
from core.models.partnership import Contribution, Partnership, PartnershipStatus, Party
from core.models.plugin_activation import PluginActivation
from core.models.request import DocumentRequest
from core.models.search_entry import SearchEntry
from core.models.sharing import Sharing
from core.models.tenant import Tenant
from core.models.user import AccountToken, LoginAttempt, RequestLimitEvent, RoleAssignment, User, UserSession

__all__ = [
    "AccountToken",
    "AgreementAssessment",
    "AgreementSignature",
    "AgreementVersion",
    "Application",
    "ApplicationDocument",
    "AuditChainHead",
    "AuditEvent",
    "CalendarFeed",
    "CaseState",
    "CaseTask",
    "CaseTaskRole",
    "ContactPerson",
    "Contribution",
    "DataVersion",
    "Decision",
    "Document",
    "DocumentRequest",
    "FormResponse",
    "LibraryDocument",
    "LoginAttempt",
    "Matter",
    "Meeting",
    "Message",
    "Organisation",
    "OutboxMessage",
    "Partnership",
    "PartnershipStatus",
    "Party",
    "PluginActivation",
    "RegistryEntry",
    "ReminderDigest",
    "RegistrySeries",
    "Representative",
    "RequestLimitEvent",
    "RoleAssignment",
    "SearchEntry",
    "Sharing",
    "Tenant",
    "TenantOrganisation",
    "User",
    "UserSession",
]
