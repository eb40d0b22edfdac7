-- Health of a Kubeflow training job from its status conditions.
-- Succeeded and Failed are final; Suspended (queued by Kueue) must not read as Degraded.
local hs = {status = "Progressing", message = "Waiting for the job to start"}
-- Created suspended (Kueue queues it so) and not yet seen by the operator: queued, not starting.
if obj.spec ~= nil and obj.spec.runPolicy ~= nil and obj.spec.runPolicy.suspend == true then
  hs = {status = "Suspended", message = "Suspended: waiting for its queue to admit it"}
end
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
for _, condition in ipairs(obj.status.conditions) do
  if condition.status == "True" then
    if condition.type == "Succeeded" then
      return {status = "Healthy", message = condition.message or "Job succeeded"}
    elseif condition.type == "Failed" then
      return {status = "Degraded", message = condition.message or "Job failed"}
    elseif condition.type == "Suspended" then
      hs = {status = "Suspended", message = condition.message or "Job is suspended"}
    elseif hs.status ~= "Suspended" then
      hs = {status = "Progressing", message = condition.message or condition.type}
    end
  end
end
return hs
