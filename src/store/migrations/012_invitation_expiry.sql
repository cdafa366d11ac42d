-- When an invitation was issued: it is valid for SIGHTLINE_INVITATION_DAYS from then. Rows written before this
-- migration have no such time; their invitations count from the account's creation.
ALTER TABLE dashboard_users ADD COLUMN IF NOT EXISTS invited_at DateTime64(3, 'UTC') DEFAULT created_at;
