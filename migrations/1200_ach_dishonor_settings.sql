-- ACH, second step: the decision a gateway that does not answer in time stands for (a workspace
-- setting beside the ODFI's, set with PUT /v0/ach/settings); outgoing entries of two more kinds,
-- the dishonored returns Keel sends of returns it cannot accept, and the contested dishonored
-- returns it sends back; the IAT addenda of an incoming IAT entry, as the API shows them; and the
-- IAT records (batch header, addenda 10-16) an IAT entry's return must carry, kept from the entry
-- received to the return Keel sends.

alter table ach_settings add column gateway_timeout_decision text not null default 'APPROVE'
  check (gateway_timeout_decision in ('APPROVE', 'DECLINE'));

alter table ach_outgoing drop constraint ach_outgoing_kind_check;
alter table ach_outgoing add constraint ach_outgoing_kind_check check (kind in ('ORIGINATION', 'RETURN', 'DISHONOR', 'CONTEST'));

alter table ach_incoming add column iat_info jsonb;
alter table ach_incoming add column iat_record jsonb;
alter table ach_outgoing add column iat_record jsonb;
