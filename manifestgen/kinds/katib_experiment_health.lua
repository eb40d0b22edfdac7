-- Health of a Katib Experiment from its status conditions (Created, Running, Restarting,
-- Succeeded, Failed). Katib moves a condition to the end of the list when it changes and
-- sets Running to False when the search ends, so the final conditions are looked for first.
local hs = {status = "Progressing", message = "Waiting for the experiment to start"}
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local current = {}
for _, condition in ipairs(obj.status.conditions) do
  if condition.status == "True" then
    current[condition.type] = condition
  end
end
if current.Failed ~= nil then
  return {status = "Degraded", message = current.Failed.message or "Experiment failed"}
end
if current.Succeeded ~= nil then
  return {status = "Healthy", message = current.Succeeded.message or "Experiment succeeded"}
end
for _, kind in ipairs({"Restarting", "Running", "Created"}) do
  if current[kind] ~= nil then
    local text = current[kind].message or kind
    if obj.status.trials ~= nil then
      text = text .. " (" .. tostring(obj.status.trialsSucceeded or 0) .. " of "
        .. tostring(obj.status.trials) .. " trials succeeded)"
    end
    return {status = "Progressing", message = text}
  end
end
return hs
