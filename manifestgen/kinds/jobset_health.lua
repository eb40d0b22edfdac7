-- Health of a JobSet (jobset.x-k8s.io/v1alpha2) from the conditions its controller sets:
-- Completed and Failed are final; Suspended (by the spec or by Kueue) must not read as
-- Degraded; RestartingJobSet and StartupPolicyInProgress are on the way to running.
local hs = {status = "Progressing", message = "Waiting for the JobSet controller"}
-- Created suspended (Kueue queues it so), or suspended by the spec: not starting.
local queued = obj.spec ~= nil and obj.spec.suspend == true
if obj.status == nil then
  if queued then
    return {status = "Suspended", message = "Suspended: waiting for its queue to admit it"}
  end
  return hs
end
local true_conditions = {}
for _, condition in ipairs(obj.status.conditions or {}) do
  if condition.status == "True" then
    true_conditions[condition.type] = condition
  end
end
local function said(condition, default)
  if condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  return default
end
local failed = true_conditions["Failed"]
if failed ~= nil or obj.status.terminalState == "Failed" then
  return {status = "Degraded", message = said(failed or {}, "JobSet failed")}
end
local completed = true_conditions["Completed"]
if completed ~= nil or obj.status.terminalState == "Completed" then
  return {status = "Healthy", message = said(completed or {}, "JobSet completed")}
end
local suspended = true_conditions["Suspended"]
if suspended ~= nil or queued then
  return {status = "Suspended", message = said(suspended or {}, "JobSet is suspended")}
end
local restarting = true_conditions["RestartingJobSet"]
if restarting ~= nil then
  return {status = "Progressing", message = said(restarting, "JobSet is restarting")}
end
local startup = true_conditions["StartupPolicyInProgress"]
if startup ~= nil then
  return {status = "Progressing", message = said(startup, "Starting replicated jobs in order")}
end
local restarts = obj.status.restarts or 0
if restarts > 0 then
  return {status = "Progressing", message = "Running after " .. tostring(restarts) .. " restarts"}
end
if obj.status.replicatedJobsStatus ~= nil then
  return {status = "Progressing", message = "Running"}
end
return hs
