-- Health of a Kueue ClusterQueue or LocalQueue from its Active condition.
-- A queue waiting for what it names (a flavor, its ClusterQueue) is Progressing: they are
-- applied in the same sync and Kueue sees them moments later. Any other inactive queue
-- cannot admit jobs: Degraded, with Kueue's reason (Suspended when stopped on purpose).
local hs = {status = "Progressing", message = "Waiting for Kueue to activate the queue"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Active" then
    if condition.status == "True" then
      return {status = "Healthy", message = condition.message or "Can admit new workloads"}
    end
    local reason = condition.reason or ""
    local message = condition.message or reason
    if string.find(reason, "NotFound$") or string.find(reason, "DoesNotExist$") then
      return {status = "Progressing", message = message}
    end
    if reason == "Stopped" then
      return {status = "Suspended", message = message}
    end
    return {status = "Degraded", message = message}
  end
end
return hs
