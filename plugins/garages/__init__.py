"""garages plugin: repair quotes (定损报价单), supplements (追加定损), photos, the automatic
checks (核损规则), the review workflow (核损), audit sampling (稽查) and garage metrics."""
