-- Health of a KubeRay RayJob from status.jobDeploymentStatus (the RayJob's own life:
-- its RayCluster, the submission) and status.jobStatus (the Ray job's).
-- Complete means the Ray job ended, not that it succeeded: only SUCCEEDED is Healthy.
local hs = {status = "Progressing", message = "Waiting for the RayCluster"}
-- Created suspended (Kueue queues it so) and not yet seen by the operator: queued, not starting.
if obj.spec ~= nil and obj.spec.suspend == true then
  hs = {status = "Suspended", message = "Suspended: waiting for its queue to admit it"}
end
if obj.status == nil then
  return hs
end
local deployment = obj.status.jobDeploymentStatus or ""
local job = obj.status.jobStatus or ""
local message = obj.status.message
if message == "" then
  message = nil
end
if deployment == "Complete" then
  if job == "SUCCEEDED" then
    return {status = "Healthy", message = message or "Ray job succeeded"}
  end
  if job == "" then
    job = "ended"
  end
  return {status = "Degraded", message = message or ("Ray job " .. job)}
elseif deployment == "Failed" or deployment == "ValidationFailed" then
  local reason = obj.status.reason
  if reason == nil or reason == "" then
    reason = deployment
  end
  return {status = "Degraded", message = message or ("RayJob failed: " .. reason)}
elseif deployment == "Suspended" then
  return {status = "Suspended", message = message or "RayJob is suspended"}
elseif deployment == "" then
  return hs
end
if job ~= "" then
  return {status = "Progressing", message = message or (deployment .. ": Ray job " .. job)}
end
return {status = "Progressing", message = message or deployment}
