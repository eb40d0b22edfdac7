-- Health of a KServe InferenceService, in both deployment modes. Ready is the summary
-- KServe keeps in Standard and Knative mode alike (the per-route conditions exist only in
-- Knative mode); a model that failed to load is Degraded even while Ready is Unknown.
if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  return {status = "Progressing", message = "Pending deletion"}
end
local hs = {status = "Progressing", message = "Waiting for KServe to reconcile"}
if obj.status == nil then
  return hs
end
local model = obj.status.modelStatus
if model ~= nil and model.states ~= nil and model.states.targetModelState == "FailedToLoad" then
  local message = "Model failed to load"
  if model.lastFailureInfo ~= nil and model.lastFailureInfo.message ~= nil then
    message = message .. ": " .. model.lastFailureInfo.message
  end
  return {status = "Degraded", message = message}
end
if obj.metadata ~= nil and obj.metadata.generation ~= nil and obj.status.observedGeneration ~= nil
    and obj.status.observedGeneration < obj.metadata.generation then
  return hs
end
if obj.status.conditions == nil then
  return hs
end
local ready = nil
local waiting = nil
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "Stopped" and condition.status == "True" then
    return {status = "Suspended", message = condition.message or "InferenceService is stopped"}
  end
  if condition.type == "Ready" then
    ready = condition
  elseif condition.status ~= "True" and waiting == nil then
    waiting = condition
  end
end
local function describe(condition)
  local text = condition.type .. " is " .. condition.status
  if condition.reason ~= nil and condition.reason ~= "" then
    text = text .. " (" .. condition.reason .. ")"
  end
  if condition.message ~= nil and condition.message ~= "" then
    text = text .. ": " .. condition.message
  end
  return text
end
if ready ~= nil and ready.status == "True" then
  return {status = "Healthy", message = obj.status.url or "InferenceService is ready"}
end
if ready ~= nil and ready.status == "False" then
  return {status = "Degraded", message = describe(waiting or ready)}
end
if waiting ~= nil then
  hs.message = describe(waiting)
end
return hs
