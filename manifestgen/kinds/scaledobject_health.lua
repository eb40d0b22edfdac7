-- Health of a KEDA ScaledObject. Fallback True means the trigger's metric cannot be read
-- and KEDA holds the fallback replica count: Degraded, like Ready False. Paused is a
-- deliberate stop. Active says whether the trigger currently asks for more than the minimum.
if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  return {status = "Progressing", message = "Pending deletion"}
end
local hs = {status = "Progressing", message = "Waiting for KEDA to create the autoscaler"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local found = {}
for _, condition in ipairs(obj.status.conditions) do
  found[condition.type] = condition
end
local function message(condition, default)
  if condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  return default
end
local ready, fallback, paused = found["Ready"], found["Fallback"], found["Paused"]
if ready ~= nil and ready.status == "False" then
  return {status = "Degraded", message = message(ready, "ScaledObject is not ready")}
end
if fallback ~= nil and fallback.status == "True" then
  return {status = "Degraded", message = message(fallback, "Trigger failing: fallback replicas")}
end
if paused ~= nil and paused.status == "True" then
  return {status = "Suspended", message = message(paused, "Autoscaling is paused")}
end
if ready ~= nil and ready.status == "True" then
  local active = found["Active"]
  if active ~= nil and active.status == "True" then
    return {status = "Healthy", message = message(active, "Scaling is active")}
  end
  return {status = "Healthy", message = message(ready, "ScaledObject is ready")}
end
return hs
