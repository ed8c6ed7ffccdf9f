# Keel domain events as stored in the event log's payload bytes, one struct per event type.
# Field names are the camelCase of the C++ members (domain/include/domain/*.hpp); enums are UInt8
# holding the C++ enumerator's value; timestamps are Unix epoch milliseconds; money is Int64 minor
# units. Evolution rule: only add fields with new ordinals; never renumber, retype or remove one.
# A struct whose meaning changed bumps the event's schema version in codec.cpp and gets an upcaster.
@0xe44ebb9d2e393703;

$import "/capnp/c++.capnp".namespace("keel::codec::schema");

# -- shared --
struct Limits { warehouses @0 :Int64; monthlyOrders @1 :Int64; apiRps @2 :Int64; }
struct LineQty { line @0 :UInt32; qty @1 :Int64; }
struct LotQty { lot @0 :Text; expiry @1 :Int64; qty @2 :Int64; }

# -- warehouse --
struct ReceiptLine { sku @0 :Text; qty @1 :Int64; unitCost @2 :Int64; lot @3 :Text; expiry @4 :Int64; }
struct LineCharge { line @0 :UInt32; sku @1 :Text; amount @2 :Int64; }
struct WarehouseCreated { id @0 :Text; tenant @1 :Text; name @2 :Text; currency @3 :Text; lotTracking @4 :Bool; landedCost @5 :Bool; at @6 :Int64; }
struct StockReceived { receiptId @0 :Text; lines @1 :List(ReceiptLine); at @2 :Int64; }
struct LandedCostAllocated { receiptId @0 :Text; method @1 :UInt8; allocations @2 :List(LineCharge); at @3 :Int64; allocationId @4 :Text; charges @5 :List(LandedCharge); }
struct StockAdjusted { sku @0 :Text; delta @1 :Int64; reason @2 :Text; lot @3 :Text; expiry @4 :Int64; at @5 :Int64; }
struct StockReserved { orderId @0 :Text; line @1 :UInt32; sku @2 :Text; qty @3 :Int64; at @4 :Int64; }
struct ReservationReleased { orderId @0 :Text; line @1 :UInt32; sku @2 :Text; qty @3 :Int64; at @4 :Int64; }
struct ReservationConsumed { orderId @0 :Text; line @1 :UInt32; sku @2 :Text; qty @3 :Int64; lots @4 :List(LotQty); at @5 :Int64; unitCost @6 :Int64; }
struct TransferredOut { transferId @0 :Text; toWarehouse @1 :Text; sku @2 :Text; qty @3 :Int64; unitCost @4 :Int64; lots @5 :List(LotQty); at @6 :Int64; }
struct TransferredIn { transferId @0 :Text; fromWarehouse @1 :Text; sku @2 :Text; qty @3 :Int64; unitCost @4 :Int64; lots @5 :List(LotQty); at @6 :Int64; }
struct ReplenishmentRuleSet { sku @0 :Text; min @1 :Int64; max @2 :Int64; multiple @3 :Int64; at @4 :Int64; }
struct ReplenishmentRequested { sku @0 :Text; qty @1 :Int64; available @2 :Int64; at @3 :Int64; }
struct PurchaseRequested { requestId @0 :Text; sku @1 :Text; qty @2 :Int64; reason @3 :Text; at @4 :Int64; }
struct LandedCharge { kind @0 :Text; amount @1 :Int64; }
struct StockReturned { orderId @0 :Text; rma @1 :Text; lines @2 :List(ReceiptLine); at @3 :Int64; }

# -- order --
# Version 1 of PricedLine had no amount; version 2 added it (OrderPlaced v2, see codec.cpp).
struct PricedLine { line @0 :UInt32; sku @1 :Text; qty @2 :Int64; unitPrice @3 :Int64; amount @4 :Int64; }
struct Allocation { line @0 :UInt32; warehouse @1 :Text; qty @2 :Int64; reservation @3 :UInt32; }
# Version 1 had no total (ordinal 8); the upcaster computes it and the line amounts.
struct OrderPlaced { id @0 :Text; tenant @1 :Text; customer @2 :Text; currency @3 :Text; channel @4 :UInt8; lines @5 :List(PricedLine); requiresApproval @6 :Bool; at @7 :Int64; total @8 :Int64; placedBy @9 :Text; }
struct OrderApproved { by @0 :Text; at @1 :Int64; }
struct OrderRejected { by @0 :Text; reason @1 :Text; at @2 :Int64; }
struct OrderAllocated { allocations @0 :List(Allocation); backordered @1 :List(LineQty); cancelled @2 :List(LineQty); at @3 :Int64; }
struct OrderPicked { at @0 :Int64; }
struct OrderShipped { warehouse @0 :Text; tracking @1 :Text; lines @2 :List(LineQty); at @3 :Int64; reservations @4 :List(Allocation); }
struct OrderDelivered { at @0 :Int64; }
struct OrderInvoiced { invoiceId @0 :Text; amount @1 :Int64; at @2 :Int64; }
struct OrderCancelled { reason @0 :Text; releases @1 :List(Allocation); at @2 :Int64; }
struct OrderLineCancelled { line @0 :UInt32; qty @1 :Int64; reason @2 :Text; at @3 :Int64; }
struct ReturnRequested { rma @0 :Text; lines @1 :List(LineQty); value @2 :Int64; at @3 :Int64; }
struct ReturnAuthorized { rma @0 :Text; by @1 :Text; automatic @2 :Bool; at @3 :Int64; }
struct ReturnReceived { rma @0 :Text; disposition @1 :UInt8; warehouse @2 :Text; lines @3 :List(LineQty); at @4 :Int64; }
struct ReturnRefunded { rma @0 :Text; amount @1 :Int64; at @2 :Int64; }

# -- tenant --
struct MilestoneState { id @0 :Text; required @1 :Bool; done @2 :Bool; }
# Version 1 kept the limits flat (ordinals 11..13); version 2 nests them in `limits` (ordinal 18).
struct TenantProvisioned {
  id @0 :Text; partner @1 :Text; name @2 :Text; templateId @3 :Text; templateVersion @4 :Int32;
  plan @5 :Text; planRank @6 :Int32; tier @7 :UInt8; deployment @8 :UInt8; environment @9 :UInt8;
  modules @10 :List(UInt8);
  obsoleteMaxWarehouses @11 :Int64; obsoleteMaxMonthlyOrders @12 :Int64; obsoleteMaxApiRps @13 :Int64;
  milestones @14 :List(MilestoneState); periodStart @15 :Int64; periodEnd @16 :Int64; at @17 :Int64;
  limits @18 :Limits;
}
struct OnboardingStarted { at @0 :Int64; }
struct MilestoneCompleted { milestone @0 :Text; by @1 :Text; at @2 :Int64; }
struct TenantWentLive { at @0 :Int64; }
struct TenantSuspended { reason @0 :Text; at @1 :Int64; imposedBy @2 :UInt8; }
struct TenantReinstated { at @0 :Int64; imposedBy @1 :UInt8; }
struct TenantTerminated { reason @0 :Text; at @1 :Int64; }
struct ModuleActivated { module @0 :UInt8; milestones @1 :List(MilestoneState); at @2 :Int64; }
struct ModuleDeactivated { module @0 :UInt8; at @1 :Int64; }
struct PlanUpgraded { from @0 :Text; to @1 :Text; rank @2 :Int32; proration @3 :Int64; addedModules @4 :List(UInt8); milestones @5 :List(MilestoneState); limits @6 :Limits; at @7 :Int64; }
struct PlanDowngradeScheduled { from @0 :Text; to @1 :Text; rank @2 :Int32; removedModules @3 :List(UInt8); limits @4 :Limits; effectiveAt @5 :Int64; at @6 :Int64; }
struct WarehouseRegistered { warehouse @0 :Text; at @1 :Int64; }
struct UsageRecorded { orders @0 :Int64; apiCalls @1 :Int64; periodStart @2 :Int64; at @3 :Int64; }
struct SubscriptionRenewed { periodStart @0 :Int64; periodEnd @1 :Int64; plan @2 :Text; planRank @3 :Int32; modules @4 :List(UInt8); limits @5 :Limits; at @6 :Int64; }
struct SubscriptionCancelled { reason @0 :Text; effectiveAt @1 :Int64; at @2 :Int64; }
struct TicketOpened { ticket @0 :Text; subject @1 :Text; severity @2 :Text; at @3 :Int64; priority @4 :Text; riskBand @5 :Text; routedTo @6 :Text; firstResponseDue @7 :Int64; resolutionDue @8 :Int64; }
struct TicketAssigned { ticket @0 :Text; assignee @1 :Text; previous @2 :Text; at @3 :Int64; }
struct TicketCommented { ticket @0 :Text; comment @1 :Int64; author @2 :Text; from @3 :Text; body @4 :Text; internal @5 :Bool; firstResponse @6 :Bool; at @7 :Int64; }
struct TicketStatusChanged { ticket @0 :Text; from @1 :Text; to @2 :Text; reason @3 :Text; resolutionDue @4 :Int64; at @5 :Int64; }
struct TicketSlaBreached { ticket @0 :Text; target @1 :Text; priority @2 :Text; routedTo @3 :Text; due @4 :Int64; at @5 :Int64; }
struct TicketResolved { ticket @0 :Text; at @1 :Int64; }
struct IntegrationFailed { integration @0 :UInt8; detail @1 :Text; routedTo @2 :Text; at @3 :Int64; }
struct IntegrationRecovered { integration @0 :UInt8; at @1 :Int64; }
struct SyncLatencyBreached { integration @0 :UInt8; latencyMs @1 :Int64; routedTo @2 :Text; at @3 :Int64; }
struct TemplateUpgraded { templateId @0 :Text; version @1 :Int32; limits @2 :Limits; at @3 :Int64; addedModules @4 :List(UInt8); milestones @5 :List(MilestoneState); }
struct PlanChangesBlockedSet { blocked @0 :Bool; reason @1 :Text; at @2 :Int64; imposedBy @3 :UInt8; }
struct OrderMetered { order @0 :Text; position @1 :UInt64; periodStart @2 :Int64; at @3 :Int64; }
struct ExtensionInstalled { extension @0 :Text; version @1 :Text; kind @2 :UInt8; keyId @3 :Text; configDigest @4 :Text; previousVersion @5 :Text; previousKeyId @6 :Text; at @7 :Int64; }
struct ExtensionUninstalled { extension @0 :Text; version @1 :Text; keyId @2 :Text; at @3 :Int64; }
struct TemplateRolledBack { templateId @0 :Text; fromVersion @1 :Int32; toVersion @2 :Int32; limits @3 :Limits; removedModules @4 :List(UInt8); removedMilestones @5 :List(Text); rollout @6 :Text; at @7 :Int64; }
struct ExtensionWithdrawalNoted { extension @0 :Text; version @1 :Text; reason @2 :Text; at @3 :Int64; }

# -- partner --
struct Branding { displayName @0 :Text; logoUrl @1 :Text; primaryColour @2 :Text; secondaryColour @3 :Text; supportEmail @4 :Text; customDomain @5 :Text; }
struct PriceBreak { minQty @0 :Int64; unitPrice @1 :Int64; }
struct PriceEntry { sku @0 :Text; category @1 :Text; breaks @2 :List(PriceBreak); validFrom @3 :Int64; validTo @4 :Int64; }
struct PriceList { currency @0 :Text; entries @1 :List(PriceEntry); }
struct PartnerRegistered { id @0 :Text; name @1 :Text; at @2 :Int64; }
struct BrandingUpdated { branding @0 :Branding; at @1 :Int64; }
struct PriceListSet { prices @0 :PriceList; at @1 :Int64; }
struct RevenueShareSet { partnerBps @0 :Int64; at @1 :Int64; }
struct PartnerLevelSet { level @0 :UInt8; at @1 :Int64; }
struct PartnerCertified { by @0 :Text; at @1 :Int64; }
struct PartnerSuspended { reason @0 :Text; at @1 :Int64; }
struct PartnerReinstated { at @0 :Int64; }

# -- catalog --
struct Item { sku @0 :Text; name @1 :Text; unit @2 :Text; category @3 :Text; weightGrams @4 :Int64; lotTracked @5 :Bool; supplier @6 :Text; }
struct RowError { row @0 :UInt32; sku @1 :Text; message @2 :Text; }
struct Supplier { id @0 :Text; name @1 :Text; }
struct SuppliersRegistered { suppliers @0 :List(Supplier); at @1 :Int64; }
struct ItemsImported { items @0 :List(Item); errors @1 :List(RowError); at @2 :Int64; }
struct ContractPrice { customer @0 :Text; sku @1 :Text; unitPrice @2 :Int64; validFrom @3 :Int64; validTo @4 :Int64; }
struct ContractPricesSet { customer @0 :Text; currency @1 :Text; prices @2 :List(ContractPrice); at @3 :Int64; }

# -- billing --
struct InvoiceLine { kind @0 :Text; description @1 :Text; amount @2 :Int64; }
struct InvoiceIssued { invoiceId @0 :Text; tenant @1 :Text; currency @2 :Text; periodStart @3 :Int64; periodEnd @4 :Int64; lines @5 :List(InvoiceLine); total @6 :Int64; partnerShare @7 :Int64; platformShare @8 :Int64; dueAt @9 :Int64; at @10 :Int64; }
struct PaymentRecorded { invoiceId @0 :Text; paymentId @1 :Text; amount @2 :Int64; at @3 :Int64; }
struct CreditNoteIssued { invoiceId @0 :Text; noteId @1 :Text; reason @2 :Text; amount @3 :Int64; at @4 :Int64; }
struct InvoiceOverdue { invoiceId @0 :Text; outstanding @1 :Int64; at @2 :Int64; }
struct DunningStepReached { invoiceId @0 :Text; daysOverdue @1 :Int64; action @2 :UInt8; at @3 :Int64; }

# -- extension --
struct ExtensionManifest { version @0 :Text; name @1 :Text; description @2 :Text; kind @3 :UInt8; modules @4 :List(UInt8); events @5 :List(Text); commands @6 :List(Text); scopes @7 :List(Text); configSchema @8 :Text; }
struct ExtensionVersionSubmitted { id @0 :Text; owner @1 :Text; manifest @2 :ExtensionManifest; by @3 :Text; at @4 :Int64; }
struct ExtensionReviewStarted { version @0 :Text; by @1 :Text; at @2 :Int64; }
struct ExtensionVersionApproved { version @0 :Text; by @1 :Text; at @2 :Int64; }
struct ExtensionVersionRejected { version @0 :Text; by @1 :Text; reasons @2 :List(Text); at @3 :Int64; }
struct ExtensionVersionWithdrawn { version @0 :Text; by @1 :Text; reason @2 :Text; was @3 :UInt8; at @4 :Int64; }

# -- rollout --
struct RolloutTenant { tenant @0 :Text; partner @1 :Text; fromVersion @2 :Int32; }
struct RolloutWave { name @0 :Text; percent @1 :Int32; tenants @2 :List(RolloutTenant); }
struct RolloutStarted { templateId @0 :Text; version @1 :Int32; soakMs @2 :Int64; waves @3 :List(RolloutWave); by @4 :Text; at @5 :Int64; }
struct WaveStarted { version @0 :Int32; wave @1 :Int32; at @2 :Int64; }
struct TenantMoveRecorded { version @0 :Int32; tenant @1 :Text; outcome @2 :UInt8; reason @3 :Text; at @4 :Int64; }
struct RolloutFailureRecorded { version @0 :Int32; tenant @1 :Text; signal @2 :Text; at @3 :Int64; }
struct WavePassed { version @0 :Int32; wave @1 :Int32; at @2 :Int64; }
struct RolloutCompleted { version @0 :Int32; at @1 :Int64; }
struct RolloutPaused { version @0 :Int32; by @1 :Text; reason @2 :Text; at @3 :Int64; }
struct RolloutResumed { version @0 :Int32; by @1 :Text; at @2 :Int64; }
struct RollbackStarted { version @0 :Int32; by @1 :Text; reason @2 :Text; at @3 :Int64; }
struct TenantRollbackRecorded { version @0 :Int32; tenant @1 :Text; ok @2 :Bool; reason @3 :Text; at @4 :Int64; }
struct RolloutRolledBack { version @0 :Int32; at @1 :Int64; }
