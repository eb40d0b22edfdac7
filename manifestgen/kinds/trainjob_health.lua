-- Health of a Kubeflow Trainer v2 TrainJob from its status conditions.
-- The controller writes Complete and Failed (copied from its JobSet) and Suspended;
-- there is no Succeeded or Running condition. Complete and Failed are final; a
-- Suspended job (queued by Kueue, or paused) must not read as Degraded.
local hs = {status = "Progressing", message = "Waiting for the TrainJob to start"}
local suspended = nil
-- Created suspended (Kueue queues it so) and not yet seen by the Trainer: queued.
if obj.spec ~= nil and obj.spec.suspend == true then
  suspended = {status = "Suspended", message = "Suspended: waiting for its queue to admit it"}
  hs = suspended
end
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
for _, condition in ipairs(obj.status.conditions) do
  if condition.status == "True" then
    if condition.type == "Complete" then
      return {status = "Healthy", message = condition.message or "TrainJob completed"}
    elseif condition.type == "Failed" then
      return {status = "Degraded", message = condition.message or "TrainJob failed"}
    elseif condition.type == "Suspended" then
      suspended = {status = "Suspended", message = condition.message or "TrainJob is suspended"}
    end
  end
end
if suspended ~= nil then
  return suspended
end
return {status = "Progressing", message = "TrainJob is running"}
