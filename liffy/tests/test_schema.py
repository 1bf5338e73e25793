"""The final schema, introspected from PostgreSQL, equals the one in the spec (after 027, plus 028's additions)."""

from django.db import connection

SCHEMA = {
    "organizers": "id name slug logo_url phone country timezone sendgrid_api_key default_from_email "
    "default_from_name created_at physical_address zerobounce_api_key zoho_client_id zoho_client_secret "
    "zoho_refresh_token zoho_access_token zoho_access_token_expires_at zoho_datacenter "
    "sendgrid_webhook_public_key send_rate_per_second send_batch_size zerobounce_key_rejected_at "
    "sendgrid_webhook_key_fingerprint",
    "users": "id organizer_id email password_hash role is_active created_at last_login is_staff is_superuser",
    "sender_identities": "id organizer_id user_id label from_name from_email reply_to is_default is_active created_at",
    "email_templates": "id organizer_id name subject body_html body_text created_at",
    "campaigns": "id organizer_id template_id name status scheduled_at created_at list_id sender_id include_risky "
    "recipient_count verification_mode started_at completed_at error",
    "campaign_recipients": "id organizer_id campaign_id email name meta status last_error created_at sent_at "
    "prospect_id_legacy delivered_at opened_at clicked_at bounced_at open_count click_count person_id claimed_at",
    "campaign_events": "id organizer_id campaign_id recipient_id person_id event_type email url user_agent "
    "ip_address reason provider_event_id provider_response occurred_at created_at",
    "unsubscribes": "id organizer_id email reason source created_at",
    "mining_jobs": "id organizer_id type input status total_found total_prospects_created total_emails_raw stats "
    "error created_at started_at completed_at import_status import_progress name strategy site_profile config "
    "file_data progress manual_required manual_reason",
    "mining_results": "id job_id organizer_id source_url company_name contact_name job_title phone country website "
    "city address emails raw confidence_score verification_status status created_at updated_at",
    "mining_job_logs": "id job_id timestamp level message details created_at",
    "persons": "id organizer_id email first_name last_name created_at updated_at verification_status verified_at",
    "affiliations": "id organizer_id person_id company_name position country_code city website phone source_type "
    "source_ref mining_job_id confidence raw created_at",
    "prospect_intents": "id organizer_id person_id campaign_id intent_type source notes confidence meta occurred_at "
    "created_at created_by_user_id",
    "verification_queue": "id organizer_id email person_id prospect_id_legacy status result created_at processed_at",
    "zoho_push_log": "id organizer_id person_id zoho_module zoho_record_id action status error_message "
    "field_snapshot pushed_at pushed_by_user_id",
    "prospects_archive": "id organizer_id email name company country sector source_type source_ref "
    "verification_status meta created_at",
    "lists": "id organizer_id name description type created_by_user_id created_at import_status import_progress",
    "list_members": "id organizer_id list_id prospect_id_legacy person_id created_at",
    "send_throttles": "organizer_id next_slot_at",
    "list_uploads": "id organizer_id list_id name size data created_at",
    "users_groups": "id user_id group_id",
    "users_user_permissions": "id user_id permission_id",
}
FRAMEWORK_TABLE_PREFIXES = ("auth_", "django_", "knox_", "axes_")


def columns_by_table():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns"
            " WHERE table_schema = current_schema()"
        )
        result = {}
        for table, column, data_type, nullable in cursor.fetchall():
            result.setdefault(table, {})[column] = (data_type, nullable == "YES")
        return result


def test_tables_and_columns_equal_the_spec(db):
    actual = {
        table: set(columns)
        for table, columns in columns_by_table().items()
        if not table.startswith(FRAMEWORK_TABLE_PREFIXES)
    }
    assert actual == {table: set(columns.split()) for table, columns in SCHEMA.items()}


def test_column_types_that_matter(db):
    columns = columns_by_table()
    assert columns["mining_results"]["emails"] == ("ARRAY", True)
    assert columns["campaign_events"]["occurred_at"] == ("timestamp with time zone", False)
    assert columns["campaign_recipients"]["meta"][0] == "jsonb"
    assert columns["persons"]["id"][0] == "uuid"
    assert columns["affiliations"]["confidence"][0] == "numeric"
    assert columns["list_members"]["person_id"] == ("uuid", False)
    assert columns["users"]["password_hash"][0] == "text"
    # every timestamp is timezone-aware
    naive = [
        f"{table}.{column}"
        for table, cols in columns.items()
        for column, (data_type, _) in cols.items()
        if data_type == "timestamp without time zone"
    ]
    assert naive == []
