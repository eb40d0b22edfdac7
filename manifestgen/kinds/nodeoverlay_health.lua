-- Health of a Karpenter NodeOverlay from its ValidationSucceeded condition. False: Karpenter
-- ignores the overlay (invalid, or in conflict with another of the same weight), so pods
-- asking for the slices it describes never make a node launch. No condition yet: Karpenter
-- has not validated it, which is also what a disabled NodeOverlay feature gate looks like.
local hs = {status = "Progressing", message = "Waiting for Karpenter to validate the overlay (is the NodeOverlay feature gate on?)"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
for _, condition in ipairs(obj.status.conditions) do
  if condition.type == "ValidationSucceeded" then
    if condition.status == "True" then
      return {status = "Healthy", message = condition.message or "Overlay validated"}
    elseif condition.status == "False" then
      return {status = "Degraded", message = condition.message or condition.reason or "Overlay rejected"}
    end
  end
end
return hs
