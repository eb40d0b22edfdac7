-- Health of a batch/v1 Job. Argo CD's built-in check reads any Suspended condition as
-- finished, so a Job that Kueue resumed (Suspended=False) would be Healthy while it runs.
-- FailureTarget and SuccessCriteriaMet come before Failed and Complete while the last
-- pods terminate: the outcome is already decided.
local hs = {status = "Progressing", message = "Waiting for the Job controller"}
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
local failed = true_conditions["Failed"] or true_conditions["FailureTarget"]
if failed ~= nil then
  return {status = "Degraded", message = said(failed, "Job failed")}
end
local done = true_conditions["Complete"] or true_conditions["SuccessCriteriaMet"]
if done ~= nil then
  return {status = "Healthy", message = said(done, "Job completed")}
end
local suspended = true_conditions["Suspended"]
if suspended ~= nil or queued then
  return {status = "Suspended", message = said(suspended or {}, "Job is suspended")}
end
local ready = obj.status.ready or 0
local active = obj.status.active or 0
if active > 0 then
  return {status = "Progressing", message = tostring(ready) .. " of " .. tostring(active) .. " pods ready"}
end
return hs
